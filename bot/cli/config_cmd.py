"""`supportbot config …`: check a configuration; print the reference of every setting."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import CliContext, fail, pass_cli


@click.group()
def config() -> None:
    """The configuration: check it, or print the reference of every setting."""


@config.command()
@pass_cli
def check(cli: CliContext) -> None:
    """Load the settings and the hours file; print `configuration OK` or the error (exit 2)."""
    from bot.domain.hours.day_rules import HoursError
    from bot.domain.hours.calendar import calendar_from_settings

    settings = cli.settings  # a bad setting ends here: one line naming it, exit 2
    try:
        calendar_from_settings(settings.hours)
    except HoursError as exc:
        fail(f"config error: {exc}")
    click.echo("configuration OK")


@config.command()
@click.option("--readme", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Rewrite the reference between the config-reference markers in this file instead of printing it.")
def reference(readme: Path | None) -> None:
    """Print every setting as Markdown tables: type, default, environment variable, description."""
    from bot.app.config_reference import render, replace_block

    text = render()
    if readme is None:
        click.echo(text, nl=False)
        return
    readme.write_text(replace_block(readme.read_text(encoding="utf-8"), text), encoding="utf-8")
    click.echo(f"{readme}: configuration reference updated")
