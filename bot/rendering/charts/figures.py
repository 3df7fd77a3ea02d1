"""Which chart draws which figures of a report, in the report's order (ids are stable: file names, anchors)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from bot.rendering.charts import desk, sla, work
from bot.rendering.charts.findings import cell_label

if TYPE_CHECKING:
    from bot.desk.reports import Report

SECTIONS = (
    ("promise", ("sla-weeks", "sla-cells", "response-times")),
    ("queue", ("backlog", "reopens")),
    ("happy", ("ratings", "satisfaction-weeks")),
    ("work", ("channels", "organisations", "portal", "out-of-hours")),
)
CHART_IDS = tuple(chart for _, charts in SECTIONS for chart in charts)
MAIN_CHART = "sla-weeks"  # the one the weekly Slack post shows


def builders(report: Report, lang: str) -> dict[str, Callable[[], Figure]]:
    """A function per chart id that draws it (call inside ``style.styled()``)."""
    fr, bl, sat, vol = report.first_response, report.backlog, report.satisfaction, report.volume
    weeks = report.period.weeks()
    return {
        "sla-weeks": lambda: sla.kept_per_week(weeks, [k.kept_pct for _, k in fr.weeks], fr.goal_pct, lang),
        "sla-cells": lambda: sla.kept_per_cell([(line, p, k.kept_pct) for line, p, k in fr.cells], fr.goal_pct, lang,
                                               cell_label),
        "response-times": lambda: sla.response_times([(b.low, b.high, b.count) for b in fr.bins], fr.target_minutes,
                                                     fr.total.median_min, fr.total.p90_min, lang),
        "backlog": lambda: desk.backlog(bl.days, report.period.first, lang),
        "reopens": lambda: desk.reopens(weeks, [r.closed for _, r in bl.weeks], [r.reopened for _, r in bl.weeks],
                                        lang),
        "ratings": lambda: desk.ratings(list(sat.period.counts), lang),
        "satisfaction-weeks": lambda: desk.satisfaction_weeks(weeks, [r.mean for _, r in sat.weeks],
                                                              [r.response_rate_pct for _, r in sat.weeks], lang),
        "channels": lambda: work.channels(vol.channels, lang),
        "organisations": lambda: work.organisations(vol.organisations, vol.other_organisations, lang),
        "portal": lambda: work.portal(weeks, [s.whole for _, s in vol.came_back_weeks],
                                      [s.part for _, s in vol.came_back_weeks], lang),
        "out-of-hours": lambda: work.out_of_hours(weeks, [s.pct for _, s in vol.out_of_hours_weeks], lang),
    }
