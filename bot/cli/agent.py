"""`supportbot agent add|list|set|deactivate|sync`: who may act in the Slack desk, and on which line."""

from __future__ import annotations

import click

from bot.cli.context import CliContext, fail, pass_cli
from bot.cli.session import Refused, in_session, put
from bot.rendering.terminal import printable
from bot.desk.roster import RosterError, add_agent, deactivate_agent, list_agents, set_line
from bot.domain.directory import fields

_LINE = click.Choice(["1", "2", "3"])
_SYNCED = "; note: `agent sync` manages this agent, so their Slack user groups decide at the next sync"


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

    def change(session, now):
        try:
            return add_agent(session, address, name, int(line), slack_id, now)[1]
        except RosterError as exc:
            raise Refused(str(exc)) from None
    click.echo(f"{in_session(cli, change)} {address}: active agent, line {line}")


@agent.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_(cli: CliContext, as_json: bool) -> None:
    """Every agent: e-mail, name, line, Slack user, active, and whether `agent sync` manages them."""
    put(in_session(cli, lambda session, _now: list_agents(session)), as_json, _list_lines)


def _list_lines(agents: list[dict]):
    if not agents:
        yield "no agents (supportbot agent add EMAIL --name NAME --line 1)"
    for item in agents:
        flags = ([] if item["active"] else ["INACTIVE"]) + (["from Slack user group"] if item["source"] == "slack"
                                                            else [])
        yield (f"line {item['line']}  {printable(item['email'])}  {printable(item['name'] or '-')}  "
               f"{item['slack_user_id'] or '-'}" + (f"  ({', '.join(flags)})" if flags else ""))


@agent.command(name="set")
@click.argument("email")
@click.option("--line", required=True, type=_LINE, help="Support line 1, 2 or 3.")
@pass_cli
def set_(cli: CliContext, email: str, line: str) -> None:
    """Move the agent EMAIL to another line."""
    source, outcome = in_session(cli, _changed(email, lambda session: set_line(session, email, int(line))))
    click.echo(f"{email.strip().lower()} is on line {line}" + (" already" if outcome == "unchanged" else "")
               + (_SYNCED if source == "slack" else ""))


@agent.command()
@click.argument("email")
@pass_cli
def deactivate(cli: CliContext, email: str) -> None:
    """The agent EMAIL can no longer act in Slack or be put on call (kept for the history)."""
    source, outcome = in_session(cli, _changed(email, lambda session: deactivate_agent(session, email)))
    click.echo(f"{email.strip().lower()} " + ("was already inactive" if outcome == "unchanged" else "deactivated")
               + (_SYNCED if source == "slack" else ""))


def _changed(email: str, change):
    """A unit of work: ``change(session)`` → (agent, outcome), as (the agent's source, outcome); Refused for no agent."""
    def work(session, _now):
        found, outcome = change(session)
        if found is None:
            raise Refused(f"no agent with the e-mail address {email.strip().lower()!r}")
        return found.source, outcome
    return work


@agent.command()
@pass_cli
def sync(cli: CliContext) -> None:
    """Sync the agents from the Slack user groups in `slack.line_usergroups` now (`run` does it hourly)."""
    from bot.slack.agent_sync import SyncFailed, sync_agents
    from bot.slack.client import make_sync_web_client

    settings = cli.settings.slack
    if not settings.line_usergroups:
        fail("slack.line_usergroups is not set: no user groups to sync from")
    runtime = cli.runtime()
    try:
        report = sync_agents(runtime.sessions, make_sync_web_client(settings), settings.line_usergroups,
                             runtime.clock())
    except SyncFailed as exc:
        fail(f"nothing changed: {exc}", code=1)
    finally:
        runtime.close()
    click.echo(f"agents: {printable(str(report))}")
