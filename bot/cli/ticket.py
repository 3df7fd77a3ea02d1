"""`supportbot ticket list|show|export`: tickets from the command line, read through bot/desk's read models.

Other modules attach more commands to the `ticket` group. Every value that came from
a customer (subjects, names, message text, attachment names) goes through
bot/rendering/terminal.py before it reaches the terminal; `--json` keeps the data, with the
characters a terminal would obey written as `\\u` escapes.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot.cli.context import CliContext, fail, pass_cli, range_bound
from bot.rendering.terminal import printable, safe_json
from bot.domain.tickets import STATUSES

LIST_COLUMNS = ("reference", "status", "line", "priority", "organisation", "assignee", "created", "subject")


@click.group()
def ticket() -> None:
    """Tickets: list, show one with its timeline, export."""


@ticket.command(name="list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Only this status; repeatable.")
@click.option("--org", "organisation", metavar="NUMBER", help="Only this organisation (customer number).")
@click.option("--assignee", metavar="EMAIL", help="Only tickets held by this agent.")
@click.option("--limit", default=100, show_default=True, help="At most this many, newest first; 0 for all.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of tickets.")
@pass_cli
def list_(cli: CliContext, statuses: tuple[str, ...], organisation: str | None, assignee: str | None, limit: int,
          as_json: bool) -> None:
    """Tickets, newest first, filtered by status, organisation and assignee."""
    from bot.desk.ticket_listing import list_tickets, unknown_filters

    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            unknown = unknown_filters(session, organisation, assignee)
            rows = list_tickets(session, statuses=statuses, organisation=organisation, assignee=assignee,
                                limit=limit or None)
    finally:
        runtime.close()
    if unknown:
        fail("; ".join(unknown), code=1)
    tz = _zone(cli)
    if as_json:
        _echo_json([_times(row.as_dict(), tz) for row in rows])
        return
    if not rows:
        click.echo("no tickets")
        return
    _table([(row.reference, row.status, str(row.line), row.priority, row.organisation_number or "–",
             row.assignee_email or "–", f"{row.created_at.astimezone(tz):%Y-%m-%d %H:%M}", row.subject[:60])
            for row in rows])


@ticket.command()
@click.argument("reference", metavar="TC-YYYY-NNNNN")
@click.option("--json", "as_json", is_flag=True, help="The ticket and its timeline as one JSON object.")
@pass_cli
def show(cli: CliContext, reference: str, as_json: bool) -> None:
    """One ticket and its timeline: messages, events and mails sent, in time order (desk time)."""
    from bot.desk.ticket_timeline import ticket_timeline

    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            timeline = ticket_timeline(session, reference)
    finally:
        runtime.close()
    if timeline is None:
        fail(f"no ticket {printable(reference)!s}", code=1)
    tz = _zone(cli)
    if as_json:
        _echo_json({"ticket": _times(timeline.ticket.as_dict(), tz),
                    "timeline": [_times(entry.as_dict(), tz) for entry in timeline.entries]})
        return
    _print_ticket(timeline.ticket, tz)
    click.echo(f"\nTimeline ({tz.key})")
    for entry in timeline.entries:
        _print_entry(entry, tz)


@ticket.command()
@click.option("--from", "start_text", required=True, metavar="DATE", help="First day (YYYY-MM-DD, desk time) or ISO instant.")
@click.option("--to", "end_text", required=True, metavar="DATE", help="Last day, inclusive, or ISO instant (exclusive).")
@click.option("--format", "output", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@pass_cli
def export(cli: CliContext, start_text: str, end_text: str, output: str) -> None:
    """Tickets created in the period, one per line (JSON Lines) or CSV with a header, oldest first, to stdout.

    Each has its organisation, contact, assignee, SLA times, message counts and survey
    rating. Read in batches, so a large export does not hold every ticket in memory.
    """
    from bot.desk.ticket_listing import ExportRow, tickets_created

    tz = _zone(cli)
    start, end = range_bound("--from", start_text, tz, False), range_bound("--to", end_text, tz, True)
    if end <= start:
        fail(f"--to {end_text} is not after --from {start_text}")
    runtime = cli.runtime()
    writer = csv.writer(sys.stdout, lineterminator="\n")
    if output == "csv":
        writer.writerow(ExportRow.__dataclass_fields__)
    try:
        with runtime.sessions() as session:
            for row in tickets_created(session, start, end):
                record = _times(row.as_dict(), tz)
                if output == "csv":  # a spreadsheet shows control characters as they are: escaped here too
                    writer.writerow(["" if value is None else printable(str(value)) for value in record.values()])
                else:
                    sys.stdout.write(safe_json(json.dumps(record, ensure_ascii=False)) + "\n")
    finally:
        runtime.close()


def _zone(cli: CliContext) -> ZoneInfo:
    return ZoneInfo(cli.settings.hours.timezone)


def _times(record: dict, tz: ZoneInfo) -> dict:
    """``record`` with every datetime as ISO 8601 in the desk's time zone."""
    return {key: value.astimezone(tz).isoformat(timespec="seconds") if isinstance(value, datetime) else value
            for key, value in record.items()}


def _echo_json(document) -> None:
    click.echo(safe_json(json.dumps(document, ensure_ascii=False, indent=2, default=str)))


def _table(rows: list[tuple[str, ...]]) -> None:
    rows = [tuple(printable(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in [LIST_COLUMNS, *rows]) for i in range(len(LIST_COLUMNS) - 1)]
    for row in [LIST_COLUMNS, *rows]:
        click.echo("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip())


def _print_ticket(row, tz: ZoneInfo) -> None:
    def when(at: datetime | None) -> str:
        return at.astimezone(tz).isoformat(timespec="seconds") if at else "–"

    click.echo(f"{row.reference}  {printable(row.subject)}")
    for label, value in (
        ("status", f"{row.status} · line {row.line} · priority {row.priority} · category {row.category or '–'}"),
        ("organisation", f"{row.organisation_number or '–'} {row.organisation_name or ''}".rstrip()),
        ("contact", row.contact_email or "–"), ("assignee", row.assignee_email or "–"), ("origin", row.origin),
        ("created", when(row.created_at)),
        ("first response", f"due {when(row.first_response_due_at)}, given {when(row.first_response_at)}"),
        ("closed", when(row.closed_at)),
    ):
        click.echo(f"  {label:<15}{printable(value)}")


def _print_entry(entry, tz: ZoneInfo) -> None:
    head = f"{entry.at.astimezone(tz):%Y-%m-%d %H:%M:%S}  {entry.kind:<7}  {printable(entry.what)}"
    data = dict(entry.data)
    if entry.kind == "mail":
        head += f" ({data['state']})"
    elif entry.kind == "message" and data.get("attachments"):
        head += f" [attachments: {printable(', '.join(data['attachments']))}]"
    elif entry.kind == "event":
        details = " ".join(f"{key}={value}" for key, value in data.items() if key != "actor" and value not in (None, ""))
        head += f"  {printable(details)}" if details else ""
    click.echo(head)
    for line in printable(entry.text, lines=True).splitlines():
        click.echo(f"    {line}")
