"""The data table under each chart: the figures it draws, to read aloud, copy and print."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.sla import shown_bins
from bot.rendering.charts.words import words

if TYPE_CHECKING:
    from bot.desk.reports import Report


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    numeric_from: int = 1  # columns from this one on are numbers (right-aligned)


def tables(report: Report, lang: str) -> dict[str, Table]:
    """Every chart's table, by chart id."""
    f, w = Numbers(lang), words(lang)
    fr, bl, sat, vol = report.first_response, report.backlog, report.satisfaction, report.volume
    kept_cols = [w["kept"], w["missed"], w["pending"], w["kept_pct"]]
    c = f.count

    def kept(k) -> list[str]:
        return [c(k.kept), c(k.missed), c(k.pending), f.pct(k.kept_pct)]

    return {
        "sla-weeks": Table([w["weekday"], *kept_cols], [[f.week(week), *kept(k)] for week, k in fr.weeks]),
        "sla-cells": Table([w["line"], w["priority"], *kept_cols],
                           [[line, w.get(f"priority_{p}", p), *kept(k)] for line, p, k in fr.cells], numeric_from=2),
        "response-times": Table([w["range_min"], w["tickets"]],
                                [[f"{f.num(b.low, 0)}–{f.num(b.high, 0)}" if b.high is not None
                                  else f"{f.num(b.low, 0)} {w['and_longer']}", c(b.count)]
                                 for b in shown_bins(fr.bins, fr.target_minutes)]),
        "backlog": _backlog_table(report, f, w),
        "reopens": Table([w["weekday"], w["closed"], w["reopened"], w["reopen_pct"]],
                         [[f.week(week), c(r.closed), c(r.reopened), f.pct(r.rate_pct)] for week, r in bl.weeks]),
        "ratings": Table([w["rating"], w["answers"], w["share"]],
                         [[str(n), c(k), f.pct(round(100 * k / sat.period.answers, 1) if sat.period.answers else None)]
                          for n, k in enumerate(sat.period.counts, 1)]),
        "satisfaction-weeks": Table(
            [w["weekday"], w["answers"], w["mean"], w["closed"], w["answered_closed"], w["response_rate"]],
            [[f.week(week), c(r.answers), f.num(r.mean, 2), c(r.closed), c(r.answered_closed),
              f.pct(r.response_rate_pct)] for week, r in sat.weeks]),
        "channels": Table([w["channel"], w["tickets"], w["sent_to_portal"]],
                          [[w[f"channel_{ch}"], c(t), c(p)] for ch, t, p in vol.channels]),
        "organisations": Table([w["organisation"], w["tickets"]],
                               [[name or w["no_organisation"], c(n)] for name, n in vol.organisations]
                               + ([[w["others"], c(vol.other_organisations)]] if vol.other_organisations else [])),
        "portal": Table([w["weekday"], w["sent_to_portal"], w["came_back"], w["came_back_pct"]],
                        [[f.week(week), c(s.whole), c(s.part), f.pct(s.pct)] for week, s in vol.came_back_weeks]),
        "out-of-hours": Table([w["weekday"], w["arrivals"], w["out_of_hours"], w["out_of_hours_pct"]],
                              [[f.week(week), c(s.whole), c(s.part), f.pct(s.pct)]
                               for week, s in vol.out_of_hours_weeks]),
    }


def _backlog_table(report: Report, f: Numbers, w: dict) -> Table:
    """One row per week, one column per weekday: a year fits in 52 rows."""
    by_day = dict(report.backlog.days)
    rows = []
    for n, week in enumerate(report.period.weeks()):
        monday = report.period.window_first + timedelta(weeks=n)
        days = [monday + timedelta(days=d) for d in range(7)]
        rows.append([f"{f.week(week)} ({f.short_day(monday)})"] + [f.count(by_day[day]) if day in by_day else "" for day in days])
    return Table([w["weekday"], *w["days"].split()], rows)
