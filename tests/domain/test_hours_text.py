"""Customer-facing texts: next opening, regular hours, and the calendar lines, in Swedish and English."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.hours.calendar_text import calendar_lines, day_reason
from bot.domain.hours.day_rules import HoursRules
from bot.domain.hours.deviations import parse_deviations
from bot.domain.hours.calendar import BusinessCalendar
from bot.domain.hours.opening_text import format_next_opening, format_regular_hours, format_spans, language

TZ = ZoneInfo("Europe/Stockholm")
MONDAY = datetime(2026, 5, 18, 9, tzinfo=TZ)


@pytest.mark.parametrize(
    ("now", "sv", "en"),
    [
        (datetime(2026, 5, 13, 13, tzinfo=TZ), "måndag 18 maj kl. 09:00", "Monday 18 May at 09:00"),
        (datetime(2026, 5, 17, 23, 30, tzinfo=TZ), "i morgon kl. 09:00", "tomorrow at 09:00"),
        (datetime(2026, 5, 18, 8, tzinfo=TZ), "i dag kl. 09:00", "today at 09:00"),
        # 22:30 UTC on Sunday is already Monday in Stockholm: "today", not "tomorrow".
        (datetime(2026, 5, 17, 22, 30, tzinfo=timezone.utc), "i dag kl. 09:00", "today at 09:00"),
        (datetime(2026, 5, 17, 21, 30, tzinfo=timezone.utc), "i morgon kl. 09:00", "tomorrow at 09:00"),
        (datetime(2025, 5, 18, 8, tzinfo=TZ), "måndag 18 maj 2026 kl. 09:00", "Monday 18 May 2026 at 09:00"),
    ],
)
def test_next_opening_in_both_languages(now, sv, en):
    assert format_next_opening(MONDAY, now) == sv
    assert format_next_opening(MONDAY, now, "en") == en


def test_next_opening_is_shown_in_local_time_whatever_zone_it_comes_in():
    opening = datetime(2026, 3, 30, 7, tzinfo=timezone.utc)  # 09:00 CEST, the Monday after the DST change
    assert format_next_opening(opening, datetime(2026, 3, 27, 17, tzinfo=TZ)) == "måndag 30 mars kl. 09:00"
    assert format_next_opening(opening, datetime(2026, 3, 27, 17, tzinfo=TZ), "en_GB") == "Monday 30 March at 09:00"


def test_next_opening_over_new_year_names_the_date():
    calendar = BusinessCalendar()
    now = datetime(2025, 12, 30, 12, 30, tzinfo=TZ)
    assert format_next_opening(calendar.next_opening(now), now) == "onsdag 7 januari kl. 09:00"


@pytest.mark.parametrize(("tag", "code"), [("sv", "sv"), ("sv_SE", "sv"), ("en", "en"), ("en-GB", "en"), ("EN_us", "en")])
def test_language_tags(tag, code):
    assert language(tag) == code


def test_an_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language 'de'"):
        format_next_opening(MONDAY, MONDAY, "de")


def test_regular_hours():
    rules = HoursRules()
    assert format_regular_hours(rules) == "vardagar 09.00–16.00, lunchstängt 12.00–13.00"
    assert format_regular_hours(rules, "en") == "weekdays 09:00–16:00, closed for lunch 12:00–13:00"
    assert format_regular_hours(rules, half_day=True) == "vardagar 09.00–16.00, lunchstängt 12.00–13.00, dag före helgdag 09.00–12.00"
    assert format_regular_hours(rules, "en", half_day=True).endswith(", day before a holiday 09:00–12:00")


def test_regular_hours_of_other_settings():
    no_lunch = HoursRules(open=time(8, 30), close=time(17), lunch_start=None, half_day_before_red_day=False)
    assert format_regular_hours(no_lunch, half_day=True) == "vardagar 08.30–17.00"
    assert format_spans((), "en") == "closed"


def test_calendar_lines_for_2026_in_swedish():
    lines = list(calendar_lines(BusinessCalendar().days(2026)))
    assert len(lines) == 27
    assert lines[:3] == [
        "2026-01-01  torsdag    stängt                    Nyårsdagen",
        "2026-01-02  fredag     stängt                    klämdag efter nyårsdagen",
        "2026-01-05  måndag     stängt                    klämdag före trettondedag jul",
    ]
    assert "2026-05-13  onsdag     09.00–12.00               halvdag, dag före Kristi himmelsfärdsdag" in lines


def test_calendar_lines_in_english_with_deviations():
    text = (
        '[[deviation]]\ndate = 2026-09-18\nclosed = true\nnote = "Stängt för personalkonferens"\n'
        'note_en = "Closed for our staff conference"\n\n[[deviation]]\ndate = 2026-09-21\nstart = "10:00"\nend = "15:00"\n'
    )
    calendar = BusinessCalendar(deviations=parse_deviations(text))
    lines = list(calendar_lines(calendar.days(2026), "en"))
    assert "2026-09-18  Friday     closed                    deviation: Closed for our staff conference" in lines
    assert "2026-09-21  Monday     10:00–15:00               deviation" in lines
    assert "2026-05-15  Friday     closed                    bridge day (klämdag) after Ascension Day" in lines
    assert "2026-10-30  Friday     09:00–12:00               half day, day before All Saints' Day" in lines
    assert day_reason(calendar.day_info(date(2026, 9, 18))) == "avvikelse: Stängt för personalkonferens"
