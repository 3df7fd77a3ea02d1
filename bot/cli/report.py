"""`supportbot report`: the desk's figures as charts — one HTML file, PNG files, or JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import click

from bot.cli.context import CliContext, fail, pass_cli

_DATE = click.DateTime(["%Y-%m-%d"])


@click.command()
@click.option("--from", "first", type=_DATE, help="First day (YYYY-MM-DD, desk time). Default: the last full ISO week.")
@click.option("--to", "last", type=_DATE, help="Last day, inclusive (YYYY-MM-DD); without --from, the week up to it.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report as one self-contained HTML file (charts inline, no scripts, printable).")
@click.option("--png", "png_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write every chart as a PNG file into this folder (created if needed).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures the charts draw as JSON on stdout.")
@click.option("--lang", type=click.Choice(["sv", "en"]), help="Language (default: desk.default_language).")
@pass_cli
def report(cli: CliContext, first: datetime | None, last: datetime | None, html_path: Path | None,
           png_dir: Path | None, as_json: bool, lang: str | None) -> None:
    """First-response SLA, response times, backlog, satisfaction and where the work comes from.

    Without --html, --png or --json the HTML goes to report-FROM-TO.html in the current folder.
    Paths written are printed (on stderr with --json, so stdout stays JSON).
    """
    from bot.desk.reports import build_report
    from bot.domain.hours.calendar import calendar_from_settings
    from bot.domain.hours.day_rules import HoursError

    settings = cli.settings
    lang = lang or settings.desk.default_language
    try:
        calendar = calendar_from_settings(settings.hours)
    except HoursError as exc:
        fail(f"config error: {exc}")
    runtime = cli.runtime()
    try:
        period = _period(first, last, runtime.clock(), calendar.tz, settings.report.trend_weeks)
        with runtime.sessions() as session:
            figures = build_report(session, settings, calendar, period, runtime.clock())
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps(figures.as_dict(), ensure_ascii=False, indent=2))
    if not (html_path or png_dir or as_json):
        html_path = Path(f"report-{period.first.isoformat()}-{period.last.isoformat()}.html")
    for path in _write(figures, lang, html_path, png_dir):
        click.echo(str(path), err=as_json)


def _period(first: datetime | None, last: datetime | None, now: datetime, tz, trend_weeks: int):
    from bot.desk.reports.period import Period, last_full_week

    if first is None and last is None:
        start, end = last_full_week(now, tz)
    else:
        start = first.date() if first else last.date() - timedelta(days=6)
        end = last.date() if last else start + timedelta(days=6)
    if end < start:
        fail(f"--to {end} is before --from {start}")
    return Period(start, end, tz, trend_weeks)


def _write(figures, lang: str, html_path: Path | None, png_dir: Path | None) -> list[Path]:
    from bot.rendering.charts import render_html, render_pngs

    written = []
    if html_path is not None:
        html_path.write_text(render_html(figures, lang), encoding="utf-8")
        written.append(html_path)
    if png_dir is not None:
        png_dir.mkdir(parents=True, exist_ok=True)
        for name, data in render_pngs(figures, lang):
            (png_dir / name).write_bytes(data)
            written.append(png_dir / name)
    return written

