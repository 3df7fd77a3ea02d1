"""BusinessCalendar conventions: aware instants only, zones kept, years built on demand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.hours.day_rules import HoursError, HoursRules
from bot.domain.hours.deviations import Deviation
from bot.domain.hours.calendar import BusinessCalendar
from bot.domain.hours.year_tables import YearTables

TZ = ZoneInfo("Europe/Stockholm")
CALENDAR = BusinessCalendar()


@pytest.mark.parametrize(
    "call",
    [
        lambda t: CALENDAR.is_open(t),
        lambda t: CALENDAR.period_end(t),
        lambda t: CALENDAR.next_opening(t),
        lambda t: CALENDAR.add_business_minutes(t, 5),
        lambda t: CALENDAR.business_minutes_between(t, t),
    ],
)
def test_a_naive_instant_is_refused(call):
    with pytest.raises(ValueError, match="naive datetime 2026-05-13T10:00:00: pass an aware instant"):
        call(datetime(2026, 5, 13, 10))


def test_negative_minutes_are_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        CALENDAR.add_business_minutes(datetime(2026, 5, 13, 10, tzinfo=TZ), -1)


def test_utc_in_gives_utc_out_and_local_in_gives_local_out():
    utc = datetime(2026, 5, 13, 11, tzinfo=timezone.utc)
    assert CALENDAR.next_opening(utc) == datetime(2026, 5, 18, 7, tzinfo=timezone.utc)
    assert CALENDAR.next_opening(utc).tzinfo is timezone.utc
    assert CALENDAR.add_business_minutes(utc.astimezone(TZ), 30).isoformat() == "2026-05-18T09:30:00+02:00"


def test_fractions_of_minutes_and_seconds_are_kept():
    start = datetime(2026, 5, 12, 11, 59, 30, 250_000, tzinfo=TZ)
    assert CALENDAR.add_business_minutes(start, 1.5) == datetime(2026, 5, 12, 13, 1, 0, 250_000, tzinfo=TZ)
    assert CALENDAR.business_minutes_between(start, datetime(2026, 5, 12, 13, 0, 30, 250_000, tzinfo=TZ)) == 1.0


def test_years_are_built_on_demand_far_from_the_first():
    calendar = BusinessCalendar()
    assert calendar.period_end(datetime(2026, 5, 13, 10, tzinfo=TZ)).isoformat() == "2026-05-13T12:00:00+02:00"
    # Midsommarafton 2400 is Friday 23 June; the Thursday is a half day.
    assert calendar.period_end(datetime(2400, 6, 22, 10, tzinfo=TZ)).isoformat() == "2400-06-22T12:00:00+02:00"
    assert calendar.is_open(datetime(1999, 5, 24, 10, tzinfo=TZ)) is False  # annandag pingst was still red in 1999


def test_a_long_budget_reaches_past_the_prepared_years():
    calendar = BusinessCalendar()
    start = datetime(2026, 5, 13, 10, tzinfo=TZ)
    due = calendar.add_business_minutes(start, 200_000)  # about two and a half years of business time
    assert due.year == 2028
    assert calendar.business_minutes_between(start, due) == 200_000


def test_a_closed_stretch_of_years_is_searched_through():
    closed = [Deviation(date(year, 1, 1), date(year, 12, 31), "closed") for year in (2027, 2028)]
    calendar = BusinessCalendar(deviations=closed)
    assert calendar.next_opening(datetime(2026, 12, 31, 18, tzinfo=TZ)).isoformat() == "2029-01-02T09:00:00+01:00"


def test_a_desk_that_never_opens_again_says_so():
    closed = [Deviation(date(year, 1, 1), date(year, 12, 31), "closed") for year in range(2027, 2060)]
    calendar = BusinessCalendar(deviations=closed)
    with pytest.raises(HoursError, match="no answer within 31 years after 2026-12-31T18:00:00"):
        calendar.next_opening(datetime(2026, 12, 31, 18, tzinfo=TZ))


def test_years_outside_the_supported_range_are_refused():
    with pytest.raises(ValueError, match="outside the supported 1900–9000"):
        BusinessCalendar().is_open(datetime(1850, 1, 1, tzinfo=timezone.utc))


def test_day_info_of_every_day_in_a_leap_year():
    days = CALENDAR.days(2028)
    assert len(days) == 366 and days[-1].day == date(2028, 12, 31)
    assert CALENDAR.day_info(date(2028, 2, 29)).day == date(2028, 2, 29)


def test_between_far_apart_instants_sums_whole_years():
    start = datetime(2025, 1, 1, tzinfo=TZ)
    per_year = [CALENDAR.business_minutes_between(start.replace(year=y), start.replace(year=y + 1)) for y in (2025, 2026)]
    assert CALENDAR.business_minutes_between(start, start.replace(year=2027)) == sum(per_year)
    assert CALENDAR.business_minutes_between(start, start + timedelta(days=7)) == 360 * 3  # 2, 3 and 7 January (6 January is Epiphany)


def test_a_far_request_gets_its_own_window_instead_of_every_year_between():
    tables = YearTables(HoursRules(), {}, TZ)
    near = tables.window(2025, 2027)
    assert (near.first, near.last) == (2025, 2027)
    assert tables.window(2026, 2026, near) is near
    grown = tables.window(2030, 2031, near)
    assert (grown.first, grown.last) == (2025, 2031)
    far = tables.window(2400, 2401, grown)
    assert (far.first, far.last) == (2400, 2401)
