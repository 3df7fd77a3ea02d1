"""`supportbot …`: the command line. Each command group lives in its own module, loaded when it runs."""

from __future__ import annotations

import sys

import click

from bot import __version__
from bot.cli.context import CliContext, fail
from bot.cli.lazy_group import LazyCommand, LazyGroup


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


# Each command group lives in its own module, imported only when that command
# runs (bot/cli/lazy_group.py); the summary is the first paragraph of its help.
_LAZY = {
    "agent": LazyCommand("bot.cli.agent:agent", "Support agents: Slack users map to them by the e-mail in their Slack profile."),
    "config": LazyCommand("bot.cli.config_cmd:config", "The configuration: check it, or print the reference of every setting."),
    "contact": LazyCommand("bot.cli.contact:contact", "Contacts of customer organisations: who may open cases, and their personal data."),
    "db": LazyCommand("bot.cli.db:db", "Database schema: create, upgrade, inspect."),
    "demo": LazyCommand("bot.cli.demo:demo", "Run the desk locally with no accounts: mail in over SMTP, answers into a Maildir."),
    "directory": LazyCommand("bot.cli.directory:directory", "The customer directory: the organisations and contacts who may open cases."),
    "hours": LazyCommand("bot.cli.hours:hours", "Opening hours: open or closed, next opening, SLA due times, the calendar."),
    "mail": LazyCommand(
        "bot.cli.mail:mail", "Mail intake: fetch, import, inspect, quarantine.",
        extras=("bot.cli.mail_preview:preview", "bot.cli.mail_inspect:inspect"),
    ),
    "oncall": LazyCommand(
        "bot.cli.oncall:oncall",
        "Who receives SLA alerts: shifts set here win over `oncall.rota`, which wins over `oncall.slack_usergroup`.",
    ),
    "org": LazyCommand("bot.cli.org:org", "Customer organisations (fill them with `supportbot directory import`)."),
    "outbox": LazyCommand("bot.cli.outbox:outbox", "The outbox: everything the desk sends goes through it."),
    "report": LazyCommand(
        "bot.cli.report:report", "First-response SLA, response times, backlog, satisfaction and where the work comes from."
    ),
    "run": LazyCommand(
        "bot.cli.run:run", "Run the service: mail intake, outbox delivery, the public and ops listeners, until SIGTERM/SIGINT."
    ),
    "sla": LazyCommand("bot.cli.sla:sla", "The first-response SLA: reports."),
    "survey": LazyCommand("bot.cli.survey:survey", "The satisfaction survey sent when a case closes."),
    "ticket": LazyCommand(
        "bot.cli.ticket:ticket", "Tickets: list, show one with its timeline, export.",
        extras=("bot.cli.ticket_memory",),  # adds import/search/similar to the ticket group
    ),
}
main.lazy.update(_LAZY)


__all__ = ["main", "fail"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
