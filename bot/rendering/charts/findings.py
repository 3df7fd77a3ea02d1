"""Each chart's title states what it found ("67 % answered within 2 business hours"), in the report's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.rendering.charts.numbers import Numbers
from bot.rendering.charts.words import words

if TYPE_CHECKING:
    from bot.desk.reports import Report

SENTENCES = {
    "sv": {
        "sla_below": "{pct} av ärendena fick svar inom {budget}, under målet på {goal}",
        "sla_met": "{pct} av ärendena fick svar inom {budget} och nådde målet på {goal}",
        "sla_none": "Inga ärenden att bedöma den här perioden",
        "cells_worst": "{cell} höll löftet minst: {pct}", "cells_all": "Alla linjer och prioriteter nådde målet",
        "times": "Hälften fick svar inom {median} arbetsminuter, nio av tio inom {p90}",
        "times_none": "Inga första svar den här perioden",
        "backlog_up": "Kön växte från {a} till {b}", "backlog_down": "Kön minskade från {a} till {b}",
        "backlog_same": "Kön slutade där den började, på {b}", "backlog_peak": "; som mest {n} ({day})",
        "cases_one": "{n} öppet ärende", "cases_many": "{n} öppna ärenden",
        "reopens": "{n} av {m} avslutade ärenden öppnades igen ({pct})", "reopens_none": "Inga ärenden avslutades",
        "ratings": "Kunderna gav i snitt {mean} av 5; {csat} gav 4 eller 5", "ratings_none": "Inga enkätsvar den här perioden",
        "response": "{pct} av de avslutade ärendena fick ett enkätsvar", "response_none": "Inga ärenden avslutades",
        "channels": "Flest ärenden kom via {channel} ({n} av {m})", "channels_none": "Inga nya ärenden",
        "orgs": "{name} hade flest ärenden ({n})", "orgs_none": "Inga ärenden",
        "portal": "{n} nya ärenden hänvisades till portalen; {m} kom tillbaka den vägen",
        "portal_none": "Inga nya ärenden hänvisades till portalen",
        "hours": "{pct} kom in utanför öppettiderna ({n} av {m})", "hours_none": "Inget kom in",
        "hours_budget": "{n} arbetstimmar", "minutes_budget": "{n} arbetsminuter",
        "cell": "Linje {line}, {priority} prioritet",
        "via_email": "e-post", "via_slack": "Slack", "via_portal": "portalen", "via_staff": "personalen",
    },
    "en": {
        "sla_below": "{pct} of cases answered within {budget}, below the goal of {goal}",
        "sla_met": "{pct} of cases answered within {budget}, meeting the goal of {goal}",
        "sla_none": "No cases to judge in this period",
        "cells_worst": "{cell} kept the promise least often: {pct}", "cells_all": "Every line and priority met the goal",
        "times": "Half were answered within {median} business minutes, nine in ten within {p90}",
        "times_none": "No first responses in this period",
        "backlog_up": "The backlog grew from {a} to {b}", "backlog_down": "The backlog fell from {a} to {b}",
        "backlog_same": "The backlog ended where it began, at {b}", "backlog_peak": "; at most {n} ({day})",
        "cases_one": "{n} open case", "cases_many": "{n} open cases",
        "reopens": "{n} of {m} closed cases were reopened ({pct})", "reopens_none": "No cases were closed",
        "ratings": "Customers rated {mean} of 5 on average; {csat} gave 4 or 5", "ratings_none": "No survey answers in this period",
        "response": "{pct} of closed cases got a survey answer", "response_none": "No cases were closed",
        "channels": "Most tickets came through {channel} ({n} of {m})", "channels_none": "No new cases",
        "orgs": "{name} brought the most cases ({n})", "orgs_none": "No cases",
        "portal": "{n} new cases were sent to the portal; {m} came back through it",
        "portal_none": "No new cases were sent to the portal",
        "hours": "{pct} arrived out of hours ({n} of {m})", "hours_none": "Nothing arrived",
        "hours_budget": "{n} business hours", "minutes_budget": "{n} business minutes",
        "cell": "Line {line}, {priority} priority",
        "via_email": "e-mail", "via_slack": "Slack", "via_portal": "the portal", "via_staff": "staff",
    },
}


def budget(minutes: int, lang: str) -> str:
    """ "2 arbetstimmar" for 120 minutes, "90 arbetsminuter" otherwise."""
    s = SENTENCES.get(lang, SENTENCES["sv"])
    return s["hours_budget"].format(n=minutes // 60) if minutes % 60 == 0 else s["minutes_budget"].format(n=minutes)


def findings(report: Report, lang: str) -> dict[str, str]:
    """The title of every chart, by chart id."""
    s, w, f = SENTENCES.get(lang, SENTENCES["sv"]), words(lang), Numbers(lang)
    fr, bl, sat, vol = report.first_response, report.backlog, report.satisfaction, report.volume
    return {
        "sla-weeks": sla_sentence(fr, lang) if fr.period.decided else s["sla_none"],
        "sla-cells": _cells(report, s, w, f),
        "response-times": s["times"].format(median=f.num(fr.total.median_min), p90=f.num(fr.total.p90_min))
        if fr.total.answered else s["times_none"],
        "backlog": _backlog(report, s, f),
        "reopens": s["reopens"].format(n=f.count(bl.period.reopened), m=f.count(bl.period.closed), pct=f.pct(bl.period.rate_pct))
        if bl.period.closed else s["reopens_none"],
        "ratings": s["ratings"].format(mean=f.num(sat.period.mean, 2), csat=f.pct(sat.period.csat_pct))
        if sat.period.answers else s["ratings_none"],
        "satisfaction-weeks": s["response"].format(pct=f.pct(sat.period.response_rate_pct))
        if sat.period.closed else s["response_none"],
        "channels": _channels(report, s, f),
        "organisations": s["orgs"].format(name=vol.organisations[0][0] or w["no_organisation"],
                                          n=f.count(vol.organisations[0][1])) if vol.organisations else s["orgs_none"],
        "portal": s["portal"].format(n=f.count(vol.came_back.whole), m=f.count(vol.came_back.part))
        if vol.came_back.whole else s["portal_none"],
        "out-of-hours": s["hours"].format(pct=f.pct(vol.out_of_hours.pct), n=f.count(vol.out_of_hours.part),
                                          m=f.count(vol.out_of_hours.whole)) if vol.out_of_hours.whole else s["hours_none"],
    }


def cell_label(line: str, priority: str, lang: str) -> str:
    s, w = SENTENCES.get(lang, SENTENCES["sv"]), words(lang)
    return s["cell"].format(line=line, priority=w.get(f"priority_{priority}", priority))


def _cells(report: Report, s: dict, w: dict, f: Numbers) -> str:
    judged = [(kept.kept_pct, line, priority) for line, priority, kept in report.first_response.cells if kept.decided]
    if not judged:
        return s["sla_none"]
    worst, line, priority = min(judged, key=lambda cell: (cell[0], cell[1], cell[2]))
    if worst >= report.first_response.goal_pct:
        return s["cells_all"]
    return s["cells_worst"].format(cell=cell_label(line, priority, f.lang), pct=f.pct(worst))


def sla_sentence(fr, lang: str) -> str:
    """ "68,4 % av ärendena fick svar inom 2 arbetstimmar, under målet på 90 %" (the period has decided tickets)."""
    s, f = SENTENCES.get(lang, SENTENCES["sv"]), Numbers(lang)
    met = fr.period.kept_pct >= fr.goal_pct
    return s["sla_met" if met else "sla_below"].format(pct=f.pct(fr.period.kept_pct),
                                                       budget=budget(fr.target_minutes, lang), goal=f.pct(fr.goal_pct))


def _backlog(report: Report, s: dict, f: Numbers) -> str:
    # From the evening before the period to its last evening; the day-end counts of a week swing (a
    # Friday's queue closes over the weekend), so the period's peak is named when it was higher.
    days = report.backlog.days
    first = report.period.first
    before = [n for day, n in days if day < first]
    during = [(n, day) for day, n in days if day >= first]
    a, b = (before[-1] if before else 0), days[-1][1]
    cases = s["cases_one" if b == 1 else "cases_many"].format(n=f.count(b))
    text = s["backlog_up" if b > a else "backlog_down" if b < a else "backlog_same"].format(a=f.count(a), b=cases)
    peak, peak_day = max(during, key=lambda item: (item[0], -item[1].toordinal()))
    if peak > max(a, b):
        text += s["backlog_peak"].format(n=f.count(peak), day=f.weekday_day(peak_day))
    return text


def _channels(report: Report, s: dict, f: Numbers) -> str:
    channels = report.volume.channels
    total = sum(tickets for _, tickets, _ in channels)
    if not total:
        return s["channels_none"]
    channel, tickets, _ = max(channels, key=lambda c: c[1])  # the first of equals, in CHANNELS order
    return s["channels"].format(channel=s[f"via_{channel}"], n=f.count(tickets), m=f.count(total))
