"""The next SLA alert as a function of the instant and the last alert raised (pure; exactly-once rests on it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.hours.calendar import BusinessCalendar
from bot.domain.sla.levels import Raised, decide, first_response_times
from tests.jobs.test_sla_monitor import local

CALENDAR = BusinessCalendar()
WARN, DUE = local(2026, 3, 10, 10, 30), local(2026, 3, 10, 11, 0)  # a Tuesday ticket opened 09:00
WARNED = Raised("warning", 1, WARN)
BREACHED = Raised("breach", 1, DUE)


@pytest.mark.parametrize(("now", "last", "level", "occurrence", "next_check"), [
    (local(2026, 3, 10, 10, 29, 59), None, None, 0, WARN),
    (WARN, None, "warning", 1, DUE),
    (local(2026, 3, 10, 10, 45), None, "warning", 1, DUE),  # late, half the notice left: still worth it
    (local(2026, 3, 10, 10, 45, 1), None, None, 0, DUE),  # later: the breach will be the first alert
    (local(2026, 3, 10, 10, 59, 59), WARNED, None, 0, DUE),
    (DUE, WARNED, "breach", 1, local(2026, 3, 10, 11, 30)),
    (DUE, None, "breach", 1, local(2026, 3, 10, 11, 30)),  # down over both: no stale warning first
    (local(2026, 3, 10, 11, 50), WARNED, "breach", 1, local(2026, 3, 10, 13, 20)),  # down over the breach minute
    (local(2026, 3, 10, 14, 0), None, "breach", 1, local(2026, 3, 10, 14, 30)),  # never a reminder before the breach
    (local(2026, 3, 10, 11, 29, 59), BREACHED, None, 0, local(2026, 3, 10, 11, 30)),
    (local(2026, 3, 10, 11, 30), BREACHED, "reminder", 1, local(2026, 3, 10, 12, 0)),
    (local(2026, 3, 10, 13, 0), Raised("reminder", 1, local(2026, 3, 10, 11, 30)), "reminder", 2,
     local(2026, 3, 10, 13, 30)),  # lunch: 12:00 was due; the next counts from 13:00, when this one went out
    (local(2026, 3, 11, 9, 0), Raised("reminder", 2, local(2026, 3, 10, 13, 0)), "reminder", 3,
     local(2026, 3, 11, 9, 30)),  # down overnight: the next reminder, one, not the seven missed
])
def test_what_follows_the_last_alert(now, last, level, occurrence, next_check):
    decision = decide(CALENDAR, now, WARN, DUE, 30, last)
    assert (decision.level, decision.occurrence, decision.next_check_at) == (level, occurrence, next_check)


def test_reminders_count_from_when_the_breach_went_out_not_from_the_due_time():
    breach = Raised("breach", 1, local(2026, 3, 16, 11, 49, 57))  # issue 16: due 10:50, restarted 11:49:57
    assert decide(CALENDAR, local(2026, 3, 16, 11, 50), WARN, DUE, 30, breach).level is None
    waiting = decide(CALENDAR, local(2026, 3, 16, 13, 19, 56), WARN, DUE, 30, breach)
    assert (waiting.level, waiting.next_check_at) == (None, local(2026, 3, 16, 13, 19, 57))
    assert decide(CALENDAR, local(2026, 3, 16, 13, 19, 57), WARN, DUE, 30, breach).level == "reminder"


def test_a_target_moved_past_the_breach_holds_reminders_until_it_is_overdue_again():
    due = local(2026, 3, 10, 14, 0)  # a lower priority after the breach of 11:00
    decision = decide(CALENDAR, local(2026, 3, 10, 11, 45), WARN, due, 30, BREACHED)
    assert (decision.level, decision.next_check_at) == (None, due)
    reminder = decide(CALENDAR, due, WARN, due, 30, BREACHED)
    assert (reminder.level, reminder.occurrence) == ("reminder", 1)


def test_the_same_instant_after_the_same_alert_always_gives_the_same_key():
    now = local(2026, 3, 10, 14, 17)
    assert len({decide(CALENDAR, now, WARN, DUE, 30, BREACHED) for _ in range(3)}) == 1


def test_without_a_warning_instant_the_first_look_is_the_due_time():
    assert decide(CALENDAR, local(2026, 3, 10, 10, 45), None, DUE, 30).next_check_at == DUE


def test_times_are_counted_in_business_minutes_from_creation():
    warn, due = first_response_times(CALENDAR, local(2026, 5, 13, 11, 59), 120, 0.75)
    assert (warn, due) == (local(2026, 5, 18, 10, 29), local(2026, 5, 18, 10, 59))


# -- any pattern of looks: the monitor down for days, slow ticks, ticks every second -----------------

START = local(2026, 3, 9, 9, 0)  # Monday; the ticket opens at START + opened minutes


@settings(max_examples=300, deadline=None)
@given(opened=st.integers(0, 5 * 24 * 60), repeat=st.sampled_from([1, 15, 30, 60]),
       gaps=st.lists(st.integers(1, 3 * 24 * 3600), min_size=1, max_size=40))
def test_any_sequence_of_looks_raises_the_breach_once_and_never_two_alerts_at_once(opened, repeat, gaps):
    """Looks come whenever (gaps of 1 s to 3 days), as the index query lets them: only at or after
    ``next_check_at``. Whatever the pattern, the alerts come in order, the breach exactly once
    when any look falls after the due time, and from the breach on consecutive alerts are at
    least ``repeat`` business minutes apart."""
    warn, due = first_response_times(CALENDAR, START + timedelta(minutes=opened), 120, 0.75)
    raised: list[Raised] = []
    next_check, now = warn, warn - timedelta(hours=1)
    for gap in gaps:
        now += timedelta(seconds=gap)
        decision = decide(CALENDAR, now, warn, due, repeat, raised[-1] if raised else None)
        if now < next_check:  # the index would not have returned it: nothing may be lost by that
            assert decision.level is None
            continue
        assert decision.next_check_at > now
        next_check = decision.next_check_at
        if decision.level is not None:
            raised.append(Raised(decision.level, decision.occurrence, now))
    expected = [("breach", 1)] + [("reminder", k) for k in range(1, len(raised))]
    keys = [(alert.level, alert.occurrence) for alert in raised if alert.level != "warning"]
    assert keys == expected[:len(keys)]
    assert [alert.level for alert in raised].count("warning") <= 1 and (not raised or raised[0].level != "reminder")
    assert ("breach", 1) in keys if now >= due else keys == []
    notice = CALENDAR.business_minutes_between(warn, due)
    assert all(2 * CALENDAR.business_minutes_between(alert.at, due) >= notice
               for alert in raised if alert.level == "warning")
    for earlier, later in zip(raised, raised[1:]):
        if earlier.level != "warning":
            assert CALENDAR.business_minutes_between(earlier.at, later.at) >= repeat - 1e-6
        else:
            assert later.at >= due
