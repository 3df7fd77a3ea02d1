"""The deviations file: its format, its error messages (with lines), and how deviations win over the rules."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.hours.day_rules import DayKind, HoursRules
from bot.domain.hours.deviations import Deviation, DeviationError, parse_deviations
from bot.domain.hours.calendar import BusinessCalendar, load_deviations

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "hours" / "deviations.toml"
TZ = ZoneInfo("Europe/Stockholm")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.fixture(scope="module")
def calendar() -> BusinessCalendar:
    return BusinessCalendar(deviations=load_deviations(FIXTURE))


def test_the_fixture_parses_into_sorted_entries():
    entries = load_deviations(FIXTURE)
    assert [entry.first for entry in entries] == [date(2026, 3, 11), date(2026, 5, 15), date(2026, 8, 15), date(2026, 9, 18), date(2026, 12, 28)]
    conference = entries[3]
    assert conference == Deviation(
        date(2026, 9, 18), date(2026, 9, 18), "closed", note="Stängt för personalkonferens",
        note_en="Closed for our staff conference", line=4,
    )
    staffing = entries[4]
    assert (staffing.last, staffing.start, staffing.end, staffing.line) == (date(2026, 12, 29), time(10), time(14), 20)


def test_an_empty_file_has_no_deviations():
    assert parse_deviations("# nothing announced\n", "hours.toml") == ()


@pytest.mark.parametrize(
    ("day", "kind", "spans"),
    [
        (date(2026, 9, 18), DayKind.DEVIATION, ()),
        (date(2026, 5, 15), DayKind.DEVIATION, ((time(9), time(12)), (time(13), time(16)))),
        (date(2026, 3, 11), DayKind.DEVIATION, ((time(9), time(12)),)),
        (date(2026, 12, 28), DayKind.DEVIATION, ((time(10), time(14)),)),
        (date(2026, 12, 29), DayKind.DEVIATION, ((time(10), time(14)),)),
        (date(2026, 8, 15), DayKind.DEVIATION, ((time(10), time(12)), (time(12, 30), time(16)))),
        # Deviations do not cascade: the neighbours keep what the rules say.
        (date(2026, 9, 17), DayKind.OPEN, ((time(9), time(12)), (time(13), time(16)))),
        (date(2026, 12, 30), DayKind.HALF_DAY, ((time(9), time(12)),)),
    ],
)
def test_deviations_win_over_the_rules(calendar, day, kind, spans):
    info = calendar.day_info(day)
    assert (info.kind, info.spans) == (kind, spans)


def test_arithmetic_follows_the_deviations(calendar):
    assert calendar.period_end(_at(2026, 9, 17, 15)) == _at(2026, 9, 17, 16)
    assert calendar.next_opening(_at(2026, 9, 17, 16)) == _at(2026, 9, 21, 9)
    assert calendar.period_end(_at(2026, 5, 13, 12)) == _at(2026, 5, 15, 9)  # the klämdag is open
    assert calendar.add_business_minutes(_at(2026, 8, 14, 15), 120) == _at(2026, 8, 15, 11)  # Saturday release
    assert calendar.business_minutes_between(_at(2026, 12, 28), _at(2026, 12, 30)) == 480


def test_notes_for_the_closed_period_in_either_language(calendar):
    now = _at(2026, 9, 17, 17)
    opening = calendar.next_opening(now)
    assert calendar.deviation_notes(now, opening) == ("Stängt för personalkonferens",)
    assert calendar.deviation_notes(now, opening, "en") == ("Closed for our staff conference",)
    # Without an English note the Swedish one is shown rather than nothing.
    assert calendar.deviation_notes(_at(2026, 3, 11, 13), _at(2026, 3, 12, 9), "en") == ("Halvdag: systemuppgradering",)
    assert calendar.deviation_notes(_at(2026, 10, 1, 17), _at(2026, 10, 2, 9)) == ()


def test_open_hours_on_dst_nights_count_real_minutes():
    text = '[[deviation]]\ndate = 2026-03-29\nstart = "01:00"\nend = "04:00"\n\n[[deviation]]\ndate = 2026-10-25\nstart = "01:00"\nend = "04:00"\n'
    calendar = BusinessCalendar(deviations=parse_deviations(text, "dst.toml"))
    # Spring: 01:00 CET to 04:00 CEST is two real hours; autumn: 01:00 CEST to 04:00 CET is four.
    assert calendar.business_minutes_between(_at(2026, 3, 29), _at(2026, 3, 30)) == 120
    assert calendar.business_minutes_between(_at(2026, 10, 25), _at(2026, 10, 26)) == 240
    spring = calendar.add_business_minutes(_at(2026, 3, 29, 1), 90)
    assert spring.isoformat() == "2026-03-29T03:30:00+02:00"
    autumn = datetime.fromisoformat("2026-10-25T01:00:00+02:00")
    assert calendar.add_business_minutes(autumn, 90).astimezone(TZ).isoformat() == "2026-10-25T02:30:00+02:00"
    assert calendar.add_business_minutes(autumn, 150).astimezone(TZ).isoformat() == "2026-10-25T02:30:00+01:00"


def _entry(*lines: str) -> str:
    return "# announced deviations\n\n[[deviation]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_entry('date = "18/9/2026"', "closed = true"), "line 4: date '18/9/2026' is not a date in the form YYYY-MM-DD"),
        (_entry('date = "2026-02-30"', "closed = true"), "line 4: date 2026-02-30 is not a valid date"),
        (_entry("date = 2026-09-18T10:00:00", "closed = true"), "line 4: date 2026-09-18T10:00:00 is a date-time; write the date only (YYYY-MM-DD)"),
        (_entry("closed = true"), "line 3: missing date"),
        (_entry("date = 2026-09-18", 'start = "13:00"', 'note = "x"', 'end = "11:00"'), "line 7: end 11:00 is before start 13:00"),
        (_entry("date = 2026-09-18", 'start = "13:00"', 'end = "13:00"'), "line 6: end 13:00 is the same as start 13:00"),
        (_entry("date = 2026-09-18", 'start = "13:00"'), "line 5: start needs end"),
        (_entry("date = 2026-09-18", 'start = "9am"', 'end = "12:00"'), "line 5: start '9am' is not a time in the form HH:MM"),
        (_entry("date = 2026-09-18", 'start = "25:00"', 'end = "26:00"'), "line 5: start 25:00 is not a valid time"),
        (_entry("date = 2026-09-18", 'start = "09:00"', 'end = "16:00"', 'lunch_start = "12:00"'), "line 7: lunch_start needs lunch_end"),
        (_entry("date = 2026-09-18", 'start = "09:00"', 'end = "12:00"', 'lunch_start = "12:00"', 'lunch_end = "13:00"'), "line 7: lunch 12:00–13:00 is not within 09:00–12:00"),
        (_entry("date = 2026-09-18", 'start = "09:00"', 'end = "16:00"', 'lunch_start = "13:00"', 'lunch_end = "12:00"'), "line 8: lunch_end 12:00 is not after lunch_start 13:00"),
        (_entry("date = 2026-09-18", "closed = true", 'lunch_start = "12:00"'), "line 6: lunch_start goes only with start and end"),
        (_entry("date = 2026-09-18", "until = 2026-09-17", "closed = true"), "line 5: until 2026-09-17 is before date 2026-09-18"),
        (_entry("date = 2026-01-01", "until = 2027-01-02", "closed = true"), "line 5: 2026-01-01 to 2027-01-02 is longer than 366 days; split it into entries"),
        (_entry("date = 2026-09-18"), "line 3: say what the day is: closed = true, open = true, half_day = true, or start and end"),
        (_entry("date = 2026-09-18", "closed = true", "open = true"), "line 6: closed and open cannot be combined; an entry is one kind of deviation"),
        (_entry("date = 2026-09-18", "closed = true", 'start = "10:00"', 'end = "12:00"'), "line 6: closed and start cannot be combined; an entry is one kind of deviation"),
        (_entry("date = 2026-09-18", "closed = false"), "line 5: closed must be true (leave it out otherwise)"),
        (_entry("date = 2026-09-18", "closed = true", "note = 7"), "line 6: note must be a string"),
        (_entry("date = 2026-09-18", "closed = true", "reason = 'x'"), "line 6: unknown key 'reason' (expected one of date, until, closed, open, half_day, start, end, lunch_start, lunch_end, note, note_en)"),
        (_entry("date = 2026-09-18", "closed = "), "line 5: Invalid value (column 10)"),
        ("title = 'x'\n", "line 1: unknown key 'title' (expected [[deviation]] entries)"),
        ("[deviation]\ndate = 2026-09-18\n", "line 1: deviation must be [[deviation]] tables"),
        # Inline tables have no header per entry: the error points at the array.
        ('# x\ndeviation = [{ date = "x", closed = true }]\n', "line 2: date 'x' is not a date in the form YYYY-MM-DD"),
    ],
)
def test_a_bad_entry_is_rejected_with_its_line_and_reason(text, message):
    with pytest.raises(DeviationError) as caught:
        parse_deviations(text, "hours.toml")
    assert str(caught.value) == f"hours.toml {message}"


def test_overlapping_entries_name_the_later_entry_and_the_earlier_one():
    text = (
        "[[deviation]]\ndate = 2026-12-28\nuntil = 2026-12-30\nclosed = true\n\n"
        "[[deviation]]\ndate = 2026-09-18\nclosed = true\n\n"
        "[[deviation]]\n# the second day clashes\ndate = 2026-12-30\nhalf_day = true\n"
    )
    with pytest.raises(DeviationError) as caught:
        parse_deviations(text, "hours.toml")
    assert str(caught.value) == "hours.toml line 12: 2026-12-30 overlaps the entry at line 2 (2026-12-28 to 2026-12-30)"


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(DeviationError, match=r"nope\.toml: deviations file not found \(hours\.deviations_file\)"):
        load_deviations(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[[deviation]]\ndate = 2026-09-18\nclosed = true\nnote = "Stängt"\n'.encode("latin-1"))
    with pytest.raises(DeviationError, match="latin1.toml: not UTF-8 text"):
        load_deviations(path)


def test_half_day_and_open_follow_the_configured_hours():
    rules = HoursRules(open=time(8), close=time(17), half_day_close=time(14))
    half, regular = parse_deviations(_entry("date = 2026-09-18", "half_day = true") + _entry("date = 2026-09-19", "open = true"))
    assert half.spans(rules) == ((time(8), time(12)), (time(13), time(14)))
    assert regular.spans(rules) == ((time(8), time(12)), (time(13), time(17)))
