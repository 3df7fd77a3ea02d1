"""The desk's business calendar: open or closed, until when, next opening, SLA arithmetic.

A facade over small parts: ``day_rules`` says what each local day is,
``deviations`` overrides days the operator announced, ``year_tables`` turns
years of days into open intervals (UTC microseconds, so DST nights need no
special case: a business minute is a real minute inside an open interval),
and ``business_time`` does the arithmetic on them with ``bisect``. Years are
built on first use; no query does per-day work once its years are built.

Conventions, for every method that takes an instant:
- instants must be aware (a naive datetime raises ``ValueError``); results are
  in the time zone of the argument, so UTC in gives UTC out;
- open periods are half-open: the desk is open at 09:00:00 and closed at
  12:00:00 (the lunch) and at 16:00:00.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from bot.domain.hours.business_time import IntervalTable
from bot.domain.hours.day_rules import DayInfo, HoursError, HoursRules
from bot.domain.hours.deviations import Deviation, DeviationError, parse_deviations
from bot.domain.hours.year_tables import EMPTY, EPOCH, US, Window, YearTables, micros

MINUTE_US = 60_000_000
_MARGIN_US = 370 * 86_400 * 1_000_000  # keep a year beyond the asked instant, for next openings
_SEARCH_STEPS = (1, 2, 4, 8, 16)  # extra years tried when an answer lies beyond the window


class BusinessCalendar:
    """Opening hours of the desk: rules plus announced deviations, in one time zone."""

    def __init__(self, rules: HoursRules | None = None, deviations: Iterable[Deviation] = (), tz: str | ZoneInfo = "Europe/Stockholm") -> None:
        self.rules = rules or HoursRules()
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.deviations = tuple(deviations)
        by_date = {day: deviation for deviation in self.deviations for day in deviation.dates()}
        self._tables = YearTables(self.rules, by_date, self.tz)
        self._window = EMPTY  # replaced whole, never mutated: each query reads one consistent window

    def is_open(self, at: datetime) -> bool:
        """Whether the desk is open at ``at``."""
        t = micros(at)
        return self._covering(t, t).table.is_open(t)

    def period_end(self, at: datetime) -> datetime:
        """When the current open or closed period ends (for a closed desk: the next opening)."""
        return self._search(at, IntervalTable.period_end)

    def next_opening(self, at: datetime) -> datetime:
        """The earliest instant at or after ``at`` when the desk is open (``at`` itself if open)."""
        return self._search(at, IntervalTable.next_opening)

    def add_business_minutes(self, at: datetime, minutes: float) -> datetime:
        """The earliest instant by which ``minutes`` of open time have passed since ``at``.

        The SLA due time. ``minutes == 0`` gives ``at`` itself, even when closed;
        that convention makes ``add(add(t, a), b) == add(t, a + b)`` hold exactly.
        A due time that falls on a closing instant is that instant (12:00, not 13:00).
        """
        if minutes < 0:
            raise ValueError(f"minutes must not be negative (got {minutes})")
        amount = round(minutes * MINUTE_US)
        if amount == 0:
            return at
        return self._search(at, lambda table, t: table.instant_at(table.position(t) + amount))

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Open minutes from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        a, b = micros(start), micros(end)
        table = self._covering(min(a, b), max(a, b)).table
        return (table.position(b) - table.position(a)) / MINUTE_US

    def day_info(self, day: date) -> DayInfo:
        """The kind, open spans and reason of one local date."""
        return self.days(day.year)[day.timetuple().tm_yday - 1]

    def days(self, year: int) -> tuple[DayInfo, ...]:
        """Every day of ``year``, in order."""
        return self._tables.days(year)

    def deviation_notes(self, start: datetime, end: datetime, lang: str = "sv") -> tuple[str, ...]:
        """Distinct notes of announced deviations on the local dates from ``start`` to ``end``.

        For an out-of-hours reply: ``deviation_notes(now, next_opening(now))``.
        """
        micros(start), micros(end)  # refuse naive instants here too
        first, last = start.astimezone(self.tz).date(), end.astimezone(self.tz).date()
        notes: list[str] = []
        for deviation in self.deviations:
            if deviation.first <= last and first <= deviation.last:
                note = (deviation.note_en or deviation.note) if lang.lower().startswith("en") else deviation.note
                if note and note not in notes:
                    notes.append(note)
        return tuple(notes)

    def prepare(self, first_year: int, last_year: int) -> None:
        """Build the tables for these years now rather than on first use."""
        self._window = self._tables.window(first_year, last_year + 2, self._window)  # the margin reaches 2 years on

    def _search(self, at: datetime, find: Callable[[IntervalTable, int], int | None]) -> datetime:
        t = micros(at)
        window = self._covering(t, t)
        for extra in (0, *_SEARCH_STEPS):
            if extra:
                window = self._window = self._tables.window(window.first, window.last + extra, window)
            found = find(window.table, t)
            if found is not None:
                return (EPOCH + found * US).astimezone(at.tzinfo)
        raise HoursError(f"no answer within {sum(_SEARCH_STEPS)} years after {at.isoformat()}: the desk does not open (enough)")

    def _covering(self, first: int, last: int) -> Window:
        window = self._window
        if window.table.covers(first, last + _MARGIN_US):
            return window
        first_year = (EPOCH + first * US).astimezone(self.tz).year
        last_year = (EPOCH + (last + _MARGIN_US) * US).astimezone(self.tz).year
        window = self._window = self._tables.window(first_year, last_year, window)
        return window


def load_deviations(path: str | Path) -> tuple[Deviation, ...]:
    """Read and parse a deviations file; any problem raises ``DeviationError`` naming the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeviationError(f"{path}: deviations file not found (hours.deviations_file)") from None
    except UnicodeDecodeError:
        raise DeviationError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DeviationError(f"{path}: {exc.strerror}") from None
    return parse_deviations(text, str(path))


def calendar_from_settings(settings) -> BusinessCalendar:
    """The calendar for a ``bot.app.config.HoursSettings``; raises ``HoursError`` (incl. ``DeviationError``)."""
    rules = HoursRules.from_settings(settings)
    deviations = load_deviations(settings.deviations_file) if settings.deviations_file else ()
    return BusinessCalendar(rules, deviations, settings.timezone)
