"""`supportbot hours …`: open or closed, SLA due times and the year's special days.

Output formats are scripted against (DESIGN.md): instants print as
``YYYY-MM-DDTHH:MM:SS+HH:MM`` in the desk's time zone; ``status`` prints
``open until ISO`` or ``closed until ISO``.
"""

from __future__ import annotations

from datetime import datetime, timezone

import click

from bot.cli.context import CliContext, fail, parse_instant, pass_cli
from bot.domain.hours.calendar import BusinessCalendar, calendar_from_settings
from bot.domain.hours.day_rules import HoursError

_INSTANT_HELP = "ISO 8601 instant with an offset or Z (default: now)."


@click.group()
def hours() -> None:
    """Opening hours: open or closed, next opening, SLA due times, the calendar."""


def _calendar(cli: CliContext) -> BusinessCalendar:
    try:
        return calendar_from_settings(cli.settings.hours)
    except HoursError as exc:
        fail(f"config error: {exc}")


def _instant(option: str, value: str | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)  # the CLI is the shell: the only place that reads the clock
    return parse_instant(option, value)


def _iso(at: datetime, calendar: BusinessCalendar) -> str:
    return at.astimezone(calendar.tz).isoformat(timespec="seconds")


@hours.command()
@click.option("--at", "at_text", metavar="ISO", help=_INSTANT_HELP)
@pass_cli
def status(cli: CliContext, at_text: str | None) -> None:
    """Print `open until ISO` or `closed until ISO` (the end of the current period)."""
    at = _instant("--at", at_text)
    calendar = _calendar(cli)
    try:
        state = "open" if calendar.is_open(at) else "closed"
        click.echo(f"{state} until {_iso(calendar.period_end(at), calendar)}")
    except HoursError as exc:
        fail(str(exc))


@hours.command("next-opening")
@click.option("--at", "at_text", metavar="ISO", help=_INSTANT_HELP)
@click.option("--text", "as_text", is_flag=True, help="Print it as customers read it, relative to --at.")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Language of --text.")
@pass_cli
def next_opening(cli: CliContext, at_text: str | None, as_text: bool, lang: str) -> None:
    """Print the earliest open instant at or after --at."""
    at = _instant("--at", at_text)
    calendar = _calendar(cli)
    try:
        opening = calendar.next_opening(at)
    except HoursError as exc:
        fail(str(exc))
    if as_text:
        from bot.domain.hours.opening_text import format_next_opening  # Babel, for --text only

        click.echo(format_next_opening(opening, at, lang, calendar.tz))
    else:
        click.echo(_iso(opening, calendar))


@hours.command("sla-due")
@click.option("--from", "from_text", metavar="ISO", help=_INSTANT_HELP)
@click.option("--minutes", type=click.IntRange(min=0), help="Business minutes (default: sla.first_response_minutes, 120).")
@pass_cli
def sla_due(cli: CliContext, from_text: str | None, minutes: int | None) -> None:
    """Print the instant a number of business minutes after --from (the SLA due time)."""
    start = _instant("--from", from_text)
    calendar = _calendar(cli)
    budget = cli.settings.sla.first_response_minutes if minutes is None else minutes
    try:
        click.echo(_iso(calendar.add_business_minutes(start, budget), calendar))
    except HoursError as exc:
        fail(str(exc))


@hours.command("calendar")
@click.argument("year", type=click.IntRange(1901, 8990))
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True, help="Language of names and reasons.")
@pass_cli
def calendar_command(cli: CliContext, year: int, lang: str) -> None:
    """Print every day of YEAR that differs from a plain weekday, with its hours and reason."""
    from bot.domain.hours.calendar_text import calendar_lines  # Babel, for this command only

    calendar = _calendar(cli)
    for line in calendar_lines(calendar.days(year), lang):
        click.echo(line)
