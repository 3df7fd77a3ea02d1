"""Closing a case: the customer's closure phrases, survey digits, the reopen window, auto-close.

Pure. A phrase counts only in the fresh text of a reply (quoted history is
stripped before this is called) and not right after a negation, so "ni behöver
inte avsluta ärendet" and "please do not close" keep the case open.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Iterable

from bot.domain.routing import keyword_pattern

DEFAULT_CLOSURE_PHRASES: tuple[str, ...] = (
    # Swedish
    "avsluta ärendet", "ni kan avsluta ärendet", "ni kan stänga ärendet", "du kan stänga ärendet",
    "stäng ärendet", "ärendet kan stängas", "ärendet kan avslutas",
    # English
    "please close", "you can close this", "you can close the case", "you can close the ticket",
    "you may close this", "feel free to close", "ok to close",
)

# A negation in the two words before a phrase, in the same clause, cancels it.
NEGATIONS = frozenset({"inte", "ej", "icke", "aldrig", "not", "don't", "don’t", "dont", "never"})
_WORD = re.compile(r"[\w'’]+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]")
_DIGIT_LINE = re.compile(r"\s*([1-5])\s*[.!]?\s*")


def asks_to_close(fresh_text: str, phrases: Iterable[str]) -> str | None:
    """The closure phrase ``fresh_text`` uses, or None."""
    for phrase in phrases:
        if not phrase.strip():
            continue
        for found in keyword_pattern(phrase).finditer(fresh_text):
            clause = _CLAUSE_BREAK.split(fresh_text[:found.start()])[-1]
            if not NEGATIONS.intersection(_WORD.findall(clause.casefold())[-2:]):
                return phrase
    return None


def survey_digit(fresh_text: str) -> int | None:
    """A rating 1–5 when it stands alone on the first non-empty line of the fresh text."""
    for line in fresh_text.splitlines():
        if line.strip():
            match = _DIGIT_LINE.fullmatch(line)
            return int(match.group(1)) if match else None
    return None


def reply_reopens(closed_at: datetime | None, now: datetime, reopen_days: int) -> bool:
    """Whether a reply at ``now`` to a case closed at ``closed_at`` reopens it (else it is a new case)."""
    return closed_at is None or now - closed_at <= timedelta(days=reopen_days)


def auto_close_at(requested_at: datetime, business_days: int, calendar) -> datetime:
    """When a closure request unanswered for ``business_days`` whole business days closes the case.

    Business days are local dates on which the desk opens at all, counted after
    the day of the request; the case closes when the last of them ends (its
    closing time), so a request on Tuesday with 5 days closes the next Tuesday
    at 16:00 in an ordinary week.
    """
    day = requested_at.astimezone(calendar.tz).date()
    counted = 0
    while counted < business_days:
        day += timedelta(days=1)
        if calendar.day_info(day).is_open:
            counted += 1
    return _end_of(day, calendar) if business_days else requested_at


def _end_of(day: date, calendar) -> datetime:
    spans = calendar.day_info(day).spans
    end = spans[-1][1] if spans else time(23, 59, 59)
    return datetime.combine(day, end, tzinfo=calendar.tz)
