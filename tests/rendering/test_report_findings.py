"""Each chart's title states its finding, from the hand-computed week (tests/desk/test_report_figures.py has
the figures), in Swedish and English, with Babel's number formats."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from bot.app.config import Settings
from bot.desk.reports import Period, build_report
from bot.domain.hours.calendar import BusinessCalendar
from bot.rendering.charts.findings import SENTENCES, _backlog, findings
from bot.rendering.charts.numbers import Numbers
from tests.desk.report_week import NOW, STOCKHOLM, seed_week

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15), STOCKHOLM)


@pytest.fixture
def report(session_factory):
    calendar = BusinessCalendar()
    seed_week(session_factory, calendar)
    with session_factory() as session:
        return build_report(session, Settings(), calendar, WEEK, NOW)


def plain(titles: dict[str, str]) -> dict[str, str]:
    return {chart: title.replace("\u00a0", " ") for chart, title in titles.items()}


def test_the_weeks_titles_in_swedish(report):
    assert plain(findings(report, "sv")) == {
        "sla-weeks": "66,7 % av ärendena fick svar inom 2 arbetstimmar, under målet på 90 %",
        "sla-cells": "Linje 2, hög prioritet höll löftet minst: 0 %",
        "response-times": "Hälften fick svar inom 30 arbetsminuter, nio av tio inom 150",
        "backlog": "Kön växte från 0 till 5 öppna ärenden",
        "reopens": "1 av 3 avslutade ärenden öppnades igen (33,3 %)",
        "ratings": "Kunderna gav i snitt 3,67 av 5; 66,7 % gav 4 eller 5",
        "satisfaction-weeks": "100 % av de avslutade ärendena fick ett enkätsvar",
        "channels": "Flest ärenden kom via portalen (4 av 7)",
        "organisations": "Västerby kommun hade flest ärenden (3)",
        "portal": "3 nya ärenden hänvisades till portalen; 1 kom tillbaka den vägen",
        "out-of-hours": "22,2 % kom in utanför öppettiderna (2 av 9)",
    }


def test_the_weeks_titles_in_english(report):
    titles = plain(findings(report, "en"))
    assert titles["sla-weeks"] == "66.7% of cases answered within 2 business hours, below the goal of 90%"
    assert titles["backlog"] == "The backlog grew from 0 to 5 open cases"
    assert titles["ratings"] == "Customers rated 3.67 of 5 on average; 66.7% gave 4 or 5"


def test_a_week_that_met_the_goal_says_so():
    fr = SimpleNamespace(period=SimpleNamespace(kept_pct=94.0), goal_pct=90.0, target_minutes=120)
    from bot.rendering.charts.findings import sla_sentence

    assert sla_sentence(fr, "sv").replace("\u00a0", " ") == \
        "94 % av ärendena fick svar inom 2 arbetstimmar och nådde målet på 90 %"
    assert sla_sentence(fr, "en") == "94% of cases answered within 2 business hours, meeting the goal of 90%"


def test_the_backlog_names_its_peak_and_counts_one_case_in_the_singular():
    days = [(date(2026, 3, 1), 1)] + [(date(2026, 3, d), n) for d, n in zip(range(2, 9), (9, 12, 14, 13, 14, 5, 1))]
    report = SimpleNamespace(backlog=SimpleNamespace(days=days), period=SimpleNamespace(first=date(2026, 3, 2)))
    assert _backlog(report, SENTENCES["sv"], Numbers("sv")) == \
        "Kön slutade där den började, på 1 öppet ärende; som mest 14 (ons 4 mars)"  # the first of two peaks
    assert _backlog(report, SENTENCES["en"], Numbers("en")) == \
        "The backlog ended where it began, at 1 open case; at most 14 (Wed 4 Mar)"


def test_counts_are_grouped_as_the_language_writes_them():
    # A year's report counts tens of thousands: "39802 av 49998" was hard to read.
    assert Numbers("sv").count(39802) == "39\u00a0802" and Numbers("en").count(39802) == "39,802"
    assert Numbers("sv").count(7) == "7"
