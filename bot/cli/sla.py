"""`supportbot sla report`: first-response times and breaches per line, as a table or CSV."""

from __future__ import annotations

import csv
import sys

import click

from bot.cli.context import CliContext, fail, pass_cli, range_bound
from bot.domain.hours.day_rules import HoursError
from bot.domain.hours.calendar import calendar_from_settings
from bot.desk.reports import queries
from bot.domain.sla.report import COLUMNS, figures

_RANGE_HELP = "ISO 8601 instant with an offset, or a date (the desk's local midnight{})."


@click.group()
def sla() -> None:
    """The first-response SLA: reports."""


@sla.command()
@click.option("--from", "start_text", required=True, metavar="ISO", help=_RANGE_HELP.format(""))
@click.option("--to", "end_text", required=True, metavar="ISO", help=_RANGE_HELP.format("; a date includes that day"))
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to stdout instead of a table.")
@pass_cli
def report(cli: CliContext, start_text: str, end_text: str, as_csv: bool) -> None:
    """Tickets created from --from up to --to: first response in business minutes (median, p90), breaches, per line.

    A breach is a first response after the due time, or none yet with the due time passed.
    """
    try:
        calendar = calendar_from_settings(cli.settings.hours)
    except HoursError as exc:
        fail(f"config error: {exc}")
    start, end = range_bound("--from", start_text, calendar.tz, False), range_bound("--to", end_text, calendar.tz, True)
    if end <= start:
        fail(f"--to {end_text} is not after --from {start_text}")
    runtime = cli.runtime()
    with runtime.sessions() as session:
        tickets = queries.tickets(session, start, end)
    now = runtime.clock()
    runtime.close()
    rows = [line.row() for line in figures(tickets, calendar, now)]
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(["" if value is None else value for value in row] for row in rows)
        return
    local = f"{start.astimezone(calendar.tz):%Y-%m-%d %H:%M} – {end.astimezone(calendar.tz):%Y-%m-%d %H:%M}"
    click.echo(f"First response, tickets created {local} ({calendar.tz.key}); minutes are business minutes")
    _table(rows)


def _table(rows: list[tuple]) -> None:
    shown = [COLUMNS] + [tuple("–" if value is None else str(value) for value in row) for row in rows]
    widths = [max(len(row[i]) for row in shown) for i in range(len(COLUMNS))]
    for n, row in enumerate(shown):
        click.echo("  ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width) in
                             enumerate(zip(row, widths))).rstrip())
        if n == 0:
            click.echo("  ".join("-" * width for width in widths))
