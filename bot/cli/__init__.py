"""`supportbot …`: the command line. Each command group lives in its own module."""

from __future__ import annotations

import sys

import click

from bot import __version__
from bot.cli.context import CliContext, fail


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    envvar="SUPPORTBOT_CONFIG",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: $SUPPORTBOT_CONFIG, else built-in defaults).",
)
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Log line format.")
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, log_format: str, verbose: bool) -> None:
    """supportbot: the support desk's e-mail and Slack bot."""
    ctx.obj = CliContext(config_path=config_path, log_format=log_format, verbose=verbose)


@main.command()
def version() -> None:
    """Print the version."""
    click.echo(f"supportbot {__version__}")


def _register() -> None:
    # Imported here so that `supportbot --help` lists every group and a broken
    # optional group cannot hide the others behind an ImportError at start.
    from bot.cli import config_cmd
    from bot.cli import contact as contact_cli
    from bot.cli import db as db_cli
    from bot.cli import demo as demo_cli
    from bot.cli import hours as hours_cli
    from bot.cli import mail as mail_cli
    from bot.cli import mail_inspect, mail_preview
    from bot.cli import oncall as oncall_cli
    from bot.cli import outbox as outbox_cli
    from bot.cli import run as run_cli
    from bot.cli import sla as sla_cli
    from bot.cli import survey as survey_cli
    from bot.cli import ticket as ticket_cli

    main.add_command(db_cli.db)
    main.add_command(hours_cli.hours)
    main.add_command(mail_cli.mail)
    mail_cli.mail.add_command(mail_preview.preview)
    mail_cli.mail.add_command(mail_inspect.inspect)
    main.add_command(outbox_cli.outbox)
    main.add_command(run_cli.run)
    main.add_command(demo_cli.demo)
    main.add_command(survey_cli.survey)
    main.add_command(sla_cli.sla)
    main.add_command(oncall_cli.oncall)
    main.add_command(contact_cli.contact)
    main.add_command(config_cmd.config)
    main.add_command(ticket_cli.ticket)


_register()

__all__ = ["main", "fail"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
