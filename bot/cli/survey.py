"""`supportbot survey report`: satisfaction per month and line (answers, ratings, mean, CSAT)."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import click

from bot.cli.context import CliContext, pass_cli
from bot.desk.reports.queries import survey_answers
from bot.desk.survey_report import summarise

HEADER = ("month", "line", "answers", "r1", "r2", "r3", "r4", "r5", "mean", "csat_percent")


@click.group()
def survey() -> None:
    """The satisfaction survey sent when a case closes."""


@survey.command()
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD, desk time).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive (YYYY-MM-DD).")
@click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values with a header line.")
@pass_cli
def report(cli: CliContext, start, end, as_csv: bool) -> None:
    """Answers, count per rating, mean and CSAT (share of 4–5) per month and line."""
    settings = cli.settings
    tz = ZoneInfo(settings.hours.timezone)
    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    if first and last and last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            rows = summarise(survey_answers(session, _midnight(first, tz), _midnight(last, tz, 1)), tz)
    finally:
        runtime.close()
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow((row.month, row.line, row.answers, *row.counts, f"{row.mean:.2f}", f"{row.csat:.1f}"))
        return
    if not rows:
        click.echo("no survey answers in this period")
        return
    ratings = " ".join(f"{n:>3}" for n in "12345")
    click.echo(f"{'month':<8} {'line':<4} {'answers':>7}   {ratings}   {'mean':>4}  {'CSAT':>5}")
    for row in rows:
        counts = " ".join(f"{n:>3}" for n in row.counts)
        click.echo(f"{row.month:<8} {row.line:<4} {row.answers:>7}   {counts}   {row.mean:4.2f}  {row.csat:4.0f}%")


def _midnight(day: date | None, tz: ZoneInfo, days_after: int = 0) -> datetime | None:
    """The desk's local midnight starting ``day`` (``days_after`` later); None for no bound."""
    return None if day is None else datetime.combine(day + timedelta(days=days_after), time(), tzinfo=tz)
