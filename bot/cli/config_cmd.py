"""`supportbot config …`: check a configuration; print the reference of every setting."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.context import CliContext, fail_config, pass_cli


@click.group()
def config() -> None:
    """The configuration: check it, or print the reference of every setting."""


@config.command()
@pass_cli
def check(cli: CliContext) -> None:
    """Check the settings, the rules across them and the hours file, without starting anything.

    Prints `configuration OK` (exit 0, after any warnings), or every error on its own
    line naming the setting (exit 2). `supportbot run` applies the same checks.
    """
    from bot.app.config import ConfigError
    from bot.app.config_rules import problems
    from bot.domain.hours.calendar import calendar_from_settings
    from bot.domain.hours.day_rules import HoursError

    settings = cli.settings  # a wrong setting ends here: one line for each, exit 2
    found = problems(settings)
    errors = [str(problem) for problem in found if problem.error]
    try:
        calendar_from_settings(settings.hours)
    except HoursError as exc:
        errors.append(str(exc))
    if errors:
        fail_config(ConfigError(*errors))
    for problem in found:
        click.echo(f"supportbot: config warning: {problem}", err=True)
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
