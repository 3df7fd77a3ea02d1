"""The report's figures against a week worked out by hand (tests/desk/report_week.py), on both back ends."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app.config import Settings
from bot.desk.reports import Period, build_report
from bot.domain.hours.calendar import BusinessCalendar
from tests.desk.report_week import NOW, STOCKHOLM, local, seed_week

WEEK = Period(date(2026, 3, 9), date(2026, 3, 15), STOCKHOLM)


@pytest.fixture
def figures(session_factory):
    calendar = BusinessCalendar()
    seed_week(session_factory, calendar)
    with session_factory() as session:
        return build_report(session, Settings(), calendar, WEEK, NOW).as_dict()


def test_the_fixture_due_times_are_the_calendars():
    calendar = BusinessCalendar()
    # T3: Monday 15:30 + 30 min before closing, 90 on Tuesday from 09:00.
    assert calendar.add_business_minutes(local(2026, 3, 9, 15, 30), 120) == local(2026, 3, 10, 10, 30)
    # T6: Friday 15:00 + 60 min that day, 60 on Monday: due at 10:00, after NOW (09:05): pending.
    assert calendar.add_business_minutes(local(2026, 3, 13, 15, 0), 120) == local(2026, 3, 16, 10, 0)


def test_period_and_window(figures):
    period = figures["period"]
    assert (period["from"], period["to"], period["timezone"]) == ("2026-03-09", "2026-03-15", "Europe/Stockholm")
    assert period["weeks"] == [f"2026-W{n:02d}" for n in range(4, 12)]  # eight weeks ending with W11
    assert period["days_from"] == "2026-01-19"


def test_first_response_kept_per_week_line_and_priority(figures):
    fr = figures["first_response"]
    assert (fr["target_minutes"], fr["goal_pct"]) == (120, 90.0)
    # W11: T1 30 min, T2 90, T4 10, T7 2 kept; T3 answered after its 10:30 due time and T5 never
    # (due Wed 12:00) missed; T6 not due until Monday 10:00: pending. 4 of 6 decided.
    assert fr["period"] == {"kept": 4, "missed": 2, "pending": 1, "kept_pct": 66.7}
    weeks = {w["week"]: w for w in fr["weeks"]}
    assert weeks["2026-W10"] == {"week": "2026-W10", "kept": 2, "missed": 0, "pending": 0, "kept_pct": 100.0}
    assert weeks["2026-W11"]["kept_pct"] == 66.7
    assert weeks["2026-W04"] == {"week": "2026-W04", "kept": 0, "missed": 0, "pending": 0, "kept_pct": None}
    assert [(c["line"], c["priority"], c["kept"], c["missed"], c["pending"]) for c in fr["by_line_priority"]] == [
        ("1", "urgent", 1, 0, 0), ("1", "normal", 2, 0, 1), ("1", "low", 1, 0, 0), ("2", "high", 0, 1, 0),
        ("3", "normal", 0, 1, 0)]


def test_first_response_times_as_sla_report_rows(figures):
    # Line 1 answered in 2, 10, 30, 90 min: median 20, p90 (nearest rank 4 of 4) 90; T6 waits, not breached.
    # All: 2, 10, 30, 90, 150: median 30, p90 150; breaches T3 and T5, 2 of 7 = 28.6 %.
    assert [tuple(row.values()) for row in figures["first_response"]["lines"]] == [
        ("1", 5, 4, 1, 20.0, 90.0, 0, 0.0),
        ("2", 1, 1, 0, 150.0, 150.0, 1, 100.0),
        ("3", 1, 0, 1, None, None, 1, 100.0),
        ("all", 7, 5, 2, 30.0, 150.0, 2, 28.6),
    ]


def test_first_response_distribution(figures):
    bins = figures["first_response"]["distribution"]
    assert len(bins) == 17 and bins[0] == {"from_min": 0.0, "to_min": 30.0, "tickets": 2}  # 2 and 10 min
    assert bins[-1] == {"from_min": 480.0, "to_min": None, "tickets": 0}
    assert {b["from_min"]: b["tickets"] for b in bins if b["tickets"]} == {0.0: 2, 30.0: 1, 90.0: 1, 150.0: 1}


def test_backlog_per_day_and_reopen_rate(figures):
    backlog = figures["backlog"]
    days = {d["date"]: d["open"] for d in backlog["open_at_end_of_day"]}
    assert len(days) == 56 and days["2026-01-19"] == 0 and days["2026-03-01"] == 0
    # T9 (imported, closed Friday 6 without an event), T8 closed Wed 4; then W11 as the comments in report_week.
    assert [days[f"2026-03-{d:02d}"] for d in range(2, 16)] == [1, 2, 1, 1, 0, 0, 0, 3, 2, 2, 3, 4, 5, 5]
    # W11: T1, T4, T3 closed, T3 reopened: 1 of 3. W10: T8 and (imported) T9 closed.
    assert backlog["reopens"] == {"closed": 3, "reopened": 1, "rate_pct": 33.3}
    weeks = {w["week"]: w for w in backlog["weeks"]}
    assert weeks["2026-W10"] == {"week": "2026-W10", "closed": 2, "reopened": 0, "rate_pct": 0.0}


def test_satisfaction(figures):
    sat = figures["satisfaction"]
    # W11 answers 5, 4, 2: mean 3.67, CSAT 2 of 3. Closed in W11 as they stand now: T1, T4 (T3 was
    # reopened), both answered.
    assert sat["period"] == {"ratings": [0, 1, 0, 1, 1], "answers": 3, "mean": 3.67, "csat_pct": 66.7,
                             "closed": 2, "answered_closed": 2, "response_rate_pct": 100.0}
    weeks = {w["week"]: w for w in sat["weeks"]}
    # W10: one answer (3); T8 and T9 closed, T8 answered.
    assert (weeks["2026-W10"]["mean"], weeks["2026-W10"]["closed"], weeks["2026-W10"]["response_rate_pct"]) == \
        (3.0, 2, 50.0)
    assert [(c["date"], c["rating"], c["comment"]) for c in sat["latest_comments"]] == [
        ("2026-03-11", 2, "Problemet kom tillbaka"), ("2026-03-10", 5, "Snabbt och bra")]


def test_volume(figures):
    volume = figures["volume"]
    assert [(c["channel"], c["tickets"], c["sent_to_portal"]) for c in volume["channels"]] == [
        ("email", 1, 2), ("slack", 1, 1), ("portal", 4, 0), ("staff", 1, 0)]
    assert [(o["organisation"], o["tickets"]) for o in volume["organisations"]] == [
        ("Västerby kommun", 3), ("Norrå AB", 2), ("Kund & Co <C>", 1), (None, 1)]
    assert volume["other_organisations"] == 0
    # Three new cases sent to the portal; c1 registered T7 there on Saturday.
    assert volume["sent_to_portal"] == {"sent": 3, "came_back": 1, "came_back_pct": 33.3}
    # Arrivals: 7 tickets and the two inquiries not opened as tickets; T7 (Saturday) and the
    # Thursday 20:00 inquiry out of hours.
    assert volume["out_of_hours"] == {"arrivals": 9, "out_of_hours": 2, "out_of_hours_pct": 22.2}
