"""The demo's last word: the report of its sample history, as `supportbot report` writes it.

The period is the last full ISO week before the scenario (2–8 March 2026), the
week a desk lead would open on the scenario's Monday; its trend charts reach back
over the eight weeks of imported history. The file lands in the demo folder.
"""

from __future__ import annotations

from pathlib import Path

from bot.demo.desk import SEEDED_AT


def report_path(base: Path, first, last) -> Path:
    """Where `supportbot report` would write this period's HTML, inside the demo folder."""
    return base / f"report-{first.isoformat()}-{last.isoformat()}.html"


def write_report(runtime, base: Path) -> Path:
    """Render the report of the week before the scenario into ``base``; its path."""
    from bot.desk.reports import Period, build_report
    from bot.desk.reports.period import last_full_week
    from bot.rendering.charts import render_html

    settings, calendar = runtime.settings, runtime.services["calendar"]
    first, last = last_full_week(SEEDED_AT, calendar.tz)
    period = Period(first, last, calendar.tz, settings.report.trend_weeks)
    with runtime.sessions() as session:
        report = build_report(session, settings, calendar, period, runtime.clock())
    path = report_path(base, first, last)
    path.write_text(render_html(report, settings.desk.default_language), encoding="utf-8")
    return path
