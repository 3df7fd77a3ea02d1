"""The rules' settings, their validation, and the facts they take from the holidays package."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.app.config import HoursSettings
from bot.domain.hours.day_rules import EVES, DayKind, HoursError, HoursRules, red_days
from bot.domain.hours.calendar import BusinessCalendar, calendar_from_settings

FULL = ((time(9), time(12)), (time(13), time(16)))
HALF = ((time(9), time(12)),)


def _day(rules: HoursRules, day: date):
    info = BusinessCalendar(rules).day_info(day)
    return info.kind, info.spans


def test_holidays_package_facts_the_rules_rely_on():
    public = holidays.SE(years=2025, categories=("public",), language="sv", include_sundays=False)
    both = holidays.SE(years=2025, categories=("public", "de_facto"), language="sv", include_sundays=False)
    assert public.get(date(2025, 11, 1)) == "Alla helgons dag"  # the Saturday, not Friday 31 Oct
    assert date(2025, 10, 31) not in both
    assert date(2025, 6, 9) not in both  # annandag pingst, abolished in 2005
    assert date(2025, 6, 20) not in public and both.get(date(2025, 6, 20)) == "Midsommarafton"
    assert date(2025, 4, 20) in public and date(2025, 4, 27) not in public  # påskdagen yes, a plain Sunday no


@pytest.mark.parametrize("year", range(2025, 2036))
def test_all_three_eves_are_recognised_every_year(year):
    eves = {red.name_sv.lower() for red in red_days([year], frozenset(EVES)).values() if red.eve}
    assert eves == set(EVES)


def test_red_days_carry_both_names():
    red = red_days([2026], frozenset(EVES))[date(2026, 5, 14)]
    assert (red.name_sv, red.name_en, red.eve) == ("Kristi himmelsfärdsdag", "Ascension Day", False)


def test_without_klamdagar_the_bridge_days_follow_the_other_rules():
    rules = HoursRules(close_klamdagar=False)
    assert _day(rules, date(2026, 5, 15)) == (DayKind.OPEN, FULL)  # Friday before a plain weekend
    assert _day(rules, date(2026, 1, 5)) == (DayKind.HALF_DAY, HALF)  # Monday before Epiphany


def test_without_the_half_day_rule_days_before_red_days_are_full():
    rules = HoursRules(half_day_before_red_day=False)
    assert _day(rules, date(2026, 5, 13)) == (DayKind.OPEN, FULL)
    assert _day(rules, date(2025, 12, 23)) == (DayKind.OPEN, FULL)
    assert _day(rules, date(2026, 5, 15)) == (DayKind.KLAMDAG, ())


def test_an_eve_left_open_is_an_ordinary_day_and_not_red():
    rules = HoursRules(closed_eves=frozenset({"julafton", "nyårsafton"}))
    # Midsommarafton open: it is itself the weekday before Midsommardagen, and Thursday is plain.
    assert _day(rules, date(2026, 6, 19)) == (DayKind.HALF_DAY, HALF)
    assert _day(rules, date(2026, 6, 18)) == (DayKind.OPEN, FULL)
    assert _day(rules, date(2026, 12, 24))[0] == DayKind.EVE


def test_with_no_closed_eves_julafton_is_the_half_day():
    rules = HoursRules(closed_eves=frozenset())
    assert _day(rules, date(2025, 12, 23)) == (DayKind.OPEN, FULL)
    assert _day(rules, date(2025, 12, 24)) == (DayKind.HALF_DAY, HALF)


def test_other_hours_and_no_lunch():
    rules = HoursRules(open=time(8), close=time(17), lunch_start=None, lunch_end=None, half_day_close=time(13))
    assert _day(rules, date(2026, 3, 10)) == (DayKind.OPEN, ((time(8), time(17)),))
    assert _day(rules, date(2026, 5, 13)) == (DayKind.HALF_DAY, ((time(8), time(13)),))


def test_a_late_half_day_close_keeps_the_lunch():
    assert HoursRules(half_day_close=time(14)).half_day_spans == ((time(9), time(12)), (time(13), time(14)))


def test_lunch_outside_the_day_is_clipped():
    assert HoursRules(lunch_start=time(8), lunch_end=time(9, 30)).regular_spans == ((time(9, 30), time(16)),)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"close": time(9)}, "hours.close: 09:00 is not after hours.open 09:00"),
        ({"half_day_close": time(17)}, "hours.half_day_close: 17:00 is not within hours.open–hours.close"),
        ({"half_day_close": time(9)}, "hours.half_day_close: 09:00 is not within hours.open–hours.close"),
        ({"lunch_end": None}, "hours.lunch_end: must be set when hours.lunch_start is"),
        ({"lunch_end": time(11)}, "hours.lunch_end: 11:00 is not after hours.lunch_start 12:00"),
        ({"closed_eves": frozenset({"påskafton"})}, "hours.closed_eves: unknown eve 'påskafton'"),
    ],
)
def test_inconsistent_settings_name_the_setting(fields, message):
    with pytest.raises(HoursError) as caught:
        HoursRules(**fields)
    assert str(caught.value) == message


def test_calendar_from_settings_defaults_match_the_rules():
    calendar = calendar_from_settings(HoursSettings())
    assert calendar.rules == HoursRules()
    assert str(calendar.tz) == "Europe/Stockholm"
    assert calendar.deviations == ()


def test_calendar_from_settings_reads_the_deviations_file(tmp_path):
    path = tmp_path / "hours.toml"
    path.write_text('[[deviation]]\ndate = 2026-09-18\nclosed = true\nnote = "Konferens"\n', encoding="utf-8")
    settings = HoursSettings(deviations_file=str(path), closed_eves=["julafton"], close=time(17))
    calendar = calendar_from_settings(settings)
    assert calendar.rules.closed_eves == frozenset({"julafton"})
    assert calendar.day_info(date(2026, 9, 18)).note == "Konferens"
    assert calendar.day_info(date(2026, 9, 17)).spans[-1] == (time(13), time(17))


def test_calendar_from_settings_honours_another_time_zone():
    helsinki = ZoneInfo("Europe/Helsinki")
    calendar = calendar_from_settings(HoursSettings(timezone="Europe/Helsinki"))
    lunch = calendar.period_end(datetime(2026, 3, 10, 10, tzinfo=helsinki))
    assert calendar.next_opening(lunch).isoformat() == "2026-03-10T13:00:00+02:00"
