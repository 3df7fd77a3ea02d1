"""`supportbot agent add|list|set|deactivate|sync`: who may act in the Slack desk, and on which line."""

from __future__ import annotations

import click

from bot.app.runtime import Runtime
from bot.cli.context import CliContext, fail, pass_cli
from bot.cli.org import dump
from bot.cli.terminal import printable
from bot.desk.roster import RosterError, add_agent, deactivate_agent, list_agents, set_line
from bot.domain.directory import fields

_LINE = click.Choice(["1", "2", "3"])


@click.group()
def agent() -> None:
    """Support agents: Slack users map to them by the e-mail in their Slack profile."""


@agent.command()
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option("--line", required=True, type=_LINE, help="Support line 1, 2 or 3.")
@click.option("--slack-id", help="Their Slack user id (U…); without it the link is made at their first click.")
@pass_cli
def add(cli: CliContext, email: str, name: str, line: str, slack_id: str | None) -> None:
    """Add the agent EMAIL (or update and reactivate them)."""
    try:
        address, name, slack_id = fields.email(email), fields.text("name", name), fields.slack_user_id(slack_id or "")
    except fields.FieldError as exc:
        fail(str(exc).replace("slack_user_id", "--slack-id"))
    runtime = Runtime(cli.settings)
    try:
        with runtime.sessions() as session:
            _, outcome = add_agent(session, address, name, int(line), slack_id, runtime.clock())
            session.commit()
    except RosterError as exc:
        fail(str(exc), code=1)
    finally:
        runtime.close()
    click.echo(f"{outcome} {address}: active agent, line {line}")


@agent.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_(cli: CliContext, as_json: bool) -> None:
    """Every agent: e-mail, name, line, Slack user, active, and whether `agent sync` manages them."""
    runtime = Runtime(cli.settings)
    with runtime.sessions() as session:
        agents = list_agents(session)
    runtime.close()
    if as_json:
        click.echo(dump(agents))
        return
    if not agents:
        click.echo("no agents (supportbot agent add EMAIL --name NAME --line 1)")
    for item in agents:
        flags = [] if item["active"] else ["INACTIVE"]
        if item["source"] == "slack":
            flags.append("from Slack user group")
        click.echo(f"line {item['line']}  {printable(item['email'])}  {printable(item['name'] or '-')}  "
                   f"{item['slack_user_id'] or '-'}" + (f"  ({', '.join(flags)})" if flags else ""))


@agent.command(name="set")
@click.argument("email")
@click.option("--line", required=True, type=_LINE, help="Support line 1, 2 or 3.")
@pass_cli
def set_(cli: CliContext, email: str, line: str) -> None:
    """Move the agent EMAIL to another line."""
    source, outcome = _change(cli, lambda session: set_line(session, email, int(line)))
    _done(source, email, f"{email.strip().lower()} is on line {line}"
          + (" already" if outcome == "unchanged" else "") + _synced_note(source))


@agent.command()
@click.argument("email")
@pass_cli
def deactivate(cli: CliContext, email: str) -> None:
    """The agent EMAIL can no longer act in Slack or be put on call (kept for the history)."""
    source, outcome = _change(cli, lambda session: deactivate_agent(session, email))
    _done(source, email, f"{email.strip().lower()} " + ("was already inactive" if outcome == "unchanged"
                                                       else "deactivated") + _synced_note(source))


@agent.command()
@pass_cli
def sync(cli: CliContext) -> None:
    """Sync the agents from the Slack user groups in `slack.line_usergroups` now (`run` does it hourly)."""
    from bot.slack.agent_sync import SyncFailed, sync_agents
    from bot.slack.client import make_sync_web_client

    settings = cli.settings.slack
    if not settings.line_usergroups:
        fail("slack.line_usergroups is not set: no user groups to sync from")
    runtime = Runtime(cli.settings)
    try:
        report = sync_agents(runtime.sessions, make_sync_web_client(settings), settings.line_usergroups,
                             runtime.clock())
    except SyncFailed as exc:
        fail(f"nothing changed: {exc}", code=1)
    finally:
        runtime.close()
    click.echo(f"agents: {printable(str(report))}")


def _change(cli: CliContext, change) -> tuple[str | None, str]:
    """Run ``change`` and commit; the agent's source (None: no such agent) and the outcome."""
    runtime = Runtime(cli.settings)
    try:
        with runtime.sessions() as session:
            found, outcome = change(session)
            session.commit()
            return (found.source if found else None), outcome
    finally:
        runtime.close()


def _done(source: str | None, email: str, line: str) -> None:
    if source is None:
        fail(f"no agent with the e-mail address {email.strip().lower()!r}", code=1)
    click.echo(line)


def _synced_note(source: str | None) -> str:
    return ("; note: `agent sync` manages this agent, so their Slack user groups decide at the next sync"
            if source == "slack" else "")
