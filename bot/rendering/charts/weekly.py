"""The weekly Slack post: three key figures as text, and the main chart as a PNG drawn from its figures.

The outbox row carries :func:`post_payload`'s plain figures; the deliverer draws
the PNG from them with :func:`chart_png`, so a retry draws the same picture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.rendering.charts import sla
from bot.rendering.charts.findings import SENTENCES, budget, findings
from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.style import png, styled
from bot.rendering.charts.words import words

if TYPE_CHECKING:
    from bot.desk.reports import Report

KEY_LINES = {
    "sv": ("{pct} fick svar inom {budget} ({n} av {m}; mål {goal})",
           "Median till första svar: {median} arbetsminuter (p90 {p90})",
           "Medelbetyg {mean} av 5 ({answers} svar; {rate} av de avslutade svarade)"),
    "en": ("{pct} answered within {budget} ({n} of {m}; goal {goal})",
           "Median to first response: {median} business minutes (p90 {p90})",
           "Average rating {mean} of 5 ({answers} answers; {rate} of closed cases answered)"),
}


def key_figures(report: Report, lang: str) -> list[str]:
    """The three figures a desk lead asks for first: promise kept, how fast, how happy."""
    f, fr, sat = Numbers(lang), report.first_response, report.satisfaction.period
    kept, times, happy = KEY_LINES.get(lang, KEY_LINES["sv"])
    none = SENTENCES.get(lang, SENTENCES["sv"])
    return [kept.format(pct=f.pct(fr.period.kept_pct), budget=budget(fr.target_minutes, lang), n=f.count(fr.period.kept),
                        m=f.count(fr.period.decided), goal=f.pct(fr.goal_pct)) if fr.period.decided else none["sla_none"],
            times.format(median=f.num(fr.total.median_min), p90=f.num(fr.total.p90_min))
            if fr.total.answered else none["times_none"],
            happy.format(mean=f.num(sat.mean, 2), answers=f.count(sat.answers), rate=f.pct(sat.response_rate_pct))
            if sat.answers else none["ratings_none"]]


def heading(report: Report, lang: str) -> str:
    """ "Supportrapport vecka 11, 9–15 mars 2026"."""
    w, f, p = words(lang), Numbers(lang), report.period
    if p.first.weekday() == 0 and (p.last - p.first).days == 6:  # one ISO week
        return f"{w['report']} {w['week']} {p.first.isocalendar()[1]}, {f.span(p.first, p.last)}"
    return f"{w['report']} {f.span(p.first, p.last)}"


def post_payload(report: Report, lang: str, channel: str) -> dict:
    """What the outbox row needs to post the week: the text, and the main chart's figures."""
    fr = report.first_response
    text = "\n".join([f"*{heading(report, lang)}*", *(f"• {line}" for line in key_figures(report, lang))])
    return {"channel": channel, "lang": lang, "text": text, "week": report.period.weeks()[-1],
            "chart": {"title": findings(report, lang)["sla-weeks"], "weeks": report.period.weeks(),
                      "kept_pct": [k.kept_pct for _, k in fr.weeks], "goal_pct": fr.goal_pct}}


def chart_png(payload: dict) -> bytes:
    """The main chart of a :func:`post_payload` as PNG bytes, its finding as the title."""
    chart = payload["chart"]
    with styled():
        fig = sla.kept_per_week(chart["weeks"], chart["kept_pct"], chart["goal_pct"], payload["lang"])
        return png(fig, chart["title"])
