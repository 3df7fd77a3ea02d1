"""The level of an SLA alert as a function of the instant (pure; the monitor's exactly-once rests on it)."""

from __future__ import annotations

import pytest

from bot.domain.hours import BusinessCalendar
from bot.domain.sla_levels import decide, first_response_times
from tests.jobs.test_sla_monitor import local

CALENDAR = BusinessCalendar()
WARN, DUE = local(2026, 3, 10, 10, 30), local(2026, 3, 10, 11, 0)  # a Tuesday ticket opened 09:00


@pytest.mark.parametrize(("now", "level", "occurrence", "next_check"), [
    (local(2026, 3, 10, 10, 29, 59), None, 0, WARN),
    (WARN, "warning", 1, DUE),
    (local(2026, 3, 10, 10, 59, 59), "warning", 1, DUE),
    (DUE, "breach", 1, local(2026, 3, 10, 11, 30)),
    (local(2026, 3, 10, 11, 29, 59), "breach", 1, local(2026, 3, 10, 11, 30)),
    (local(2026, 3, 10, 11, 30), "reminder", 1, local(2026, 3, 10, 12, 0)),
    (local(2026, 3, 10, 12, 40), "reminder", 2, local(2026, 3, 10, 13, 30)),  # lunch: 12:00 counts, 12:40 does not
    (local(2026, 3, 10, 13, 30), "reminder", 3, local(2026, 3, 10, 14, 0)),
    (local(2026, 3, 11, 9, 0), "reminder", 8, local(2026, 3, 11, 9, 30)),  # overnight: 11–12 and 13–16 make 240 min
])
def test_levels_along_one_day(now, level, occurrence, next_check):
    decision = decide(CALENDAR, now, WARN, DUE, 30)
    assert (decision.level, decision.occurrence, decision.next_check_at) == (level, occurrence, next_check)


def test_the_same_instant_always_gives_the_same_key():
    now = local(2026, 3, 10, 14, 17)
    assert len({decide(CALENDAR, now, WARN, DUE, 30) for _ in range(3)}) == 1


def test_without_a_warning_instant_the_first_look_is_the_due_time():
    assert decide(CALENDAR, local(2026, 3, 10, 10, 45), None, DUE, 30).next_check_at == DUE


def test_times_are_counted_in_business_minutes_from_creation():
    warn, due = first_response_times(CALENDAR, local(2026, 5, 13, 11, 59), 120, 0.75)
    assert (warn, due) == (local(2026, 5, 18, 10, 29), local(2026, 5, 18, 10, 59))
