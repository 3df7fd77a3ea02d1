"""`supportbot oncall set|list|now`: on-call shifts in the database, the configured rota, who it is now."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select

from bot.cli.context import CliContext, fail, parse_instant, pass_cli
from bot.desk.oncall import OncallError, on_call, parse_rota
from storage.models import Agent, OncallShift
from storage.repositories.directory import find_agent_by_email

_INSTANT_HELP = "ISO 8601 instant with an offset or Z"


@click.group()
def oncall() -> None:
    """Who receives SLA alerts: shifts set here win over `oncall.rota`, which wins over `oncall.slack_usergroup`."""


@oncall.command(name="set")
@click.argument("who", metavar="EMAIL")
@click.option("--from", "start_text", required=True, metavar="ISO", help=f"{_INSTANT_HELP}: the shift starts.")
@click.option("--to", "end_text", required=True, metavar="ISO", help=f"{_INSTANT_HELP}: the shift ends (exclusive).")
@pass_cli
def set_(cli: CliContext, who: str, start_text: str, end_text: str) -> None:
    """Put the agent with this e-mail address on call from --from to --to (a later shift wins where they overlap)."""
    start, end = parse_instant("--from", start_text), parse_instant("--to", end_text)
    if end <= start:
        fail(f"--to {end_text} is not after --from {start_text}")
    runtime = cli.runtime()
    with runtime.sessions() as session:
        agent = find_agent_by_email(session, who)
        if agent is None:
            runtime.close()
            fail(f"no active agent with the e-mail address {who!r}", code=1)
        shift = OncallShift(agent_id=agent.id, starts_at=start, ends_at=end)
        session.add(shift)
        session.commit()
        line = f"shift {shift.id}: {agent.email} on call {_iso(start, cli)} – {_iso(end, cli)}"
    runtime.close()
    click.echo(line)


@oncall.command(name="list")
@click.option("--all", "everything", is_flag=True, help="Include shifts that have ended.")
@pass_cli
def list_(cli: CliContext, everything: bool) -> None:
    """Shifts from the database (current and future), then the configured rota and user group."""
    runtime = cli.runtime()
    query = select(OncallShift, Agent.email).join(Agent, Agent.id == OncallShift.agent_id).order_by(OncallShift.starts_at)
    if not everything:
        query = query.where(OncallShift.ends_at > runtime.clock())
    with runtime.sessions() as session:
        shifts = session.execute(query).all()
    runtime.close()
    click.echo("shifts:" if shifts else "shifts: none")
    for shift, email in shifts:
        click.echo(f"  {shift.id:>5}  {_iso(shift.starts_at, cli)} – {_iso(shift.ends_at, cli)}  {email}")
    settings = cli.settings.oncall
    click.echo("rota:" if settings.rota else "rota: none (oncall.rota)")
    for entry in settings.rota:
        click.echo(f"  {entry.start} – {entry.end}  {entry.who}")
    click.echo(f"user group: {settings.slack_usergroup or 'none (oncall.slack_usergroup)'}")
    click.echo(f"escalation: {', '.join(settings.escalation) or 'none (oncall.escalation)'}")


@oncall.command()
@click.option("--at", "at_text", metavar="ISO", help=f"{_INSTANT_HELP} (default: now).")
@pass_cli
def now(cli: CliContext, at_text: str | None) -> None:
    """Print who is on call (and from which source) at --at."""
    zone = ZoneInfo(cli.settings.hours.timezone)
    try:
        rules = parse_rota(cli.settings.oncall.rota, zone)
    except OncallError as exc:
        fail(f"config error: {exc}")
    runtime = cli.runtime()
    at = parse_instant("--at", at_text) if at_text else runtime.clock()
    with runtime.sessions() as session:
        who = on_call(session, rules, cli.settings.oncall.slack_usergroup, at, zone)
    runtime.close()
    click.echo(who.describe())


def _iso(at: datetime, cli: CliContext) -> str:
    return at.astimezone(ZoneInfo(cli.settings.hours.timezone)).isoformat(timespec="seconds")
