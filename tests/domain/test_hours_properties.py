"""Properties of business-time arithmetic over 2025–2035, checked with hypothesis."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.hours.calendar import BusinessCalendar

CALENDAR = BusinessCalendar()
CALENDAR.prepare(2025, 2035)
TZ = CALENDAR.tz
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
SECONDS = int((datetime(2036, 1, 1, tzinfo=timezone.utc) - START).total_seconds())
EDGES = [time(8, 59, 59), time(9), time(11, 59, 59), time(12), time(12, 59, 59), time(13), time(15, 59, 59), time(16), time(2, 30)]

anywhere = st.integers(0, SECONDS).map(lambda s: START + timedelta(seconds=s))
# Boundaries matter most: local wall times at and next to opening, lunch and closing.
at_edges = st.builds(
    lambda days, edge: datetime.combine((START + timedelta(days=days)).date(), edge, TZ),
    st.integers(0, SECONDS // 86_400), st.sampled_from(EDGES),
)
instants = st.one_of(anywhere, at_edges)
minutes = st.integers(0, 3_000)
# Per-test settings, not a global profile: other suites share the process.
thorough = settings(deadline=None, max_examples=300)


@thorough
@given(instants, instants, minutes)
def test_due_is_monotonic_in_the_start(a, b, m):
    first, second = sorted((a, b))
    assert CALENDAR.add_business_minutes(first, m) <= CALENDAR.add_business_minutes(second, m)


@thorough
@given(instants, minutes, minutes)
def test_due_is_monotonic_in_the_minutes(t, m, n):
    assert CALENDAR.add_business_minutes(t, min(m, n)) <= CALENDAR.add_business_minutes(t, max(m, n))


@thorough
@given(instants, minutes, minutes)
def test_due_composes(t, a, b):
    assert CALENDAR.add_business_minutes(CALENDAR.add_business_minutes(t, a), b) == CALENDAR.add_business_minutes(t, a + b)


@thorough
@given(instants, minutes)
def test_minutes_between_start_and_due_are_the_budget(t, m):
    assert CALENDAR.business_minutes_between(t, CALENDAR.add_business_minutes(t, m)) == m


@thorough
@given(instants, st.integers(1, 3_000))
def test_due_is_the_earliest_such_instant(t, m):
    due = CALENDAR.add_business_minutes(t, m)
    assert due > t
    assert CALENDAR.business_minutes_between(t, due - timedelta(microseconds=1)) < m


@thorough
@given(instants)
def test_next_opening_is_open_and_not_earlier(t):
    opening = CALENDAR.next_opening(t)
    assert opening >= t
    assert CALENDAR.is_open(opening)
    assert CALENDAR.business_minutes_between(t, opening) == 0


@thorough
@given(instants)
def test_the_state_changes_at_the_period_end(t):
    end = CALENDAR.period_end(t)
    assert end > t
    assert CALENDAR.is_open(end) != CALENDAR.is_open(t)
    assert CALENDAR.is_open(end - timedelta(microseconds=1)) == CALENDAR.is_open(t)


@thorough
@given(instants, st.integers(0, 600))
def test_due_matches_a_day_by_day_walk(t, m):
    assert CALENDAR.add_business_minutes(t, m) == _walk(t, m)


@thorough
@given(instants, minutes)
def test_results_keep_the_argument_time_zone(t, m):
    utc, local = t.astimezone(timezone.utc), t.astimezone(TZ)
    assert CALENDAR.add_business_minutes(utc, m).tzinfo is timezone.utc
    assert CALENDAR.next_opening(local).tzinfo is TZ
    assert CALENDAR.add_business_minutes(utc, m) == CALENDAR.add_business_minutes(local, m)


def _walk(t: datetime, m: int) -> datetime:
    """A slow reference: consume each local day's spans in turn, with plain datetime arithmetic."""
    if m == 0:
        return t
    left = timedelta(minutes=m)
    day = t.astimezone(TZ).date()
    while True:
        for begin, end in CALENDAR.day_info(day).spans:
            start = max(datetime.combine(day, begin, TZ), t)
            stop = datetime.combine(day, end, TZ)
            if start < stop:
                if stop - start >= left:
                    return start + left
                left -= stop - start
        day += timedelta(days=1)
