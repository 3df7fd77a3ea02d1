"""The pure closure rules: phrases (Swedish, English, negated), survey digits, reopen window, auto-close time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.app.config import Settings
from bot.domain.closure import asks_to_close, auto_close_at, reply_reopens, survey_digit
from bot.domain.hours.calendar import calendar_from_settings

PHRASES = Settings().lifecycle.closure_phrases
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(("text", "phrase"), [
    ("Tack för hjälpen, ni kan stänga ärendet.", "ni kan stänga ärendet"),
    ("Det fungerar nu. Avsluta ärendet!", "avsluta ärendet"),
    ("Stäng ärendet, tack", "stäng ärendet"),
    ("Allt löst – ärendet kan stängas", "ärendet kan stängas"),
    ("Felet syns inte längre, ni kan stänga ärendet", "ni kan stänga ärendet"),  # a negation in another clause
    ("Thanks, it works now. Please close the ticket.", "please close"),
    ("All good — you can close this.", "you can close this"),
    ("YOU CAN CLOSE THE CASE", "you can close the case"),
    ("Works now, you can close\nthis one", "you can close this"),  # wrapped over two lines
    ("You can close the window now", None),
    ("Ni behöver inte avsluta ärendet än.", None),
    ("Please do not close this case yet", None),
    ("We can't close this on our side", None),
    ("Hur stänger jag av loggningen?", None),
    ("", None),
])
def test_closure_phrases_in_both_languages(text, phrase):
    assert asks_to_close(text, PHRASES) == phrase


@pytest.mark.parametrize(("text", "rating"), [
    ("4", 4), ("  5 \n\nSkickat från min iPhone", 5), ("\n3.\n", 3), ("1!", 1),
    ("6", None), ("0", None), ("4 av 5", None), ("Betyg: 4", None), ("Hej\n4", None), ("", None), ("45", None),
])
def test_a_survey_answer_is_a_lone_digit_on_the_first_line(text, rating):
    assert survey_digit(text) == rating


def test_the_reopen_window():
    closed = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    assert reply_reopens(closed, closed + timedelta(days=14), 14)
    assert not reply_reopens(closed, closed + timedelta(days=14, seconds=1), 14)
    assert reply_reopens(None, closed, 14)


@pytest.mark.parametrize(("requested", "days", "closes"), [
    ("2026-03-10T10:15", 5, "2026-03-17T16:00"),   # Tuesday: Wed Thu Fri Mon Tue
    ("2026-03-13T15:00", 1, "2026-03-16T16:00"),   # Friday: the weekend does not count
    ("2026-05-11T09:30", 3, "2026-05-18T16:00"),   # Tue, Wed (half day); Ascension Thu and klämdag Fri do not count
    ("2026-05-11T09:30", 2, "2026-05-13T12:00"),   # Wed 13th is a half day: closes at 12:00
    ("2026-12-22T11:00", 2, "2026-12-28T16:00"),   # 23 Dec half day, then julafton–annandag closed
])
def test_auto_close_counts_whole_business_days_after_the_request(requested, days, closes):
    calendar = calendar_from_settings(Settings().hours)
    at = datetime.fromisoformat(requested).replace(tzinfo=STOCKHOLM)
    assert auto_close_at(at, days, calendar) == datetime.fromisoformat(closes).replace(tzinfo=STOCKHOLM)
