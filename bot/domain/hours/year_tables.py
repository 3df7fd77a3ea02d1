"""Per-year day tables and the window of open intervals that the arithmetic runs on, built on first use."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from itertools import chain
from typing import Mapping
from zoneinfo import ZoneInfo

from bot.domain.hours.business_time import IntervalTable
from bot.domain.hours.day_rules import DayInfo, DayKind, HoursRules, RedDay, red_days, rule_day
from bot.domain.hours.deviations import Deviation

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
US = timedelta(microseconds=1)
FIRST_YEAR, LAST_YEAR = 1900, 9000
JOIN_YEARS = 10  # a request this close to the current window grows it; a farther one gets its own


def micros(at: datetime) -> int:
    """Microseconds since the epoch of an aware instant; a naive one raises ``ValueError``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: pass an aware instant")
    return (at - EPOCH) // US


@dataclass(frozen=True, slots=True)
class Window:
    """The open intervals of the local years ``first``–``last`` as one table."""

    first: int
    last: int
    table: IntervalTable


EMPTY = Window(0, -1, IntervalTable.build(0, 0, ()))


class YearTables:
    """Day tables per year (rules, then deviations) and windows of them; safe to share between threads."""

    def __init__(self, rules: HoursRules, deviations: Mapping[date, Deviation], tz: ZoneInfo) -> None:
        self.rules, self.tz = rules, tz
        self._deviations = deviations
        self._lock = threading.Lock()
        self._red: dict[date, RedDay] = {}
        self._red_years: set[int] = set()
        self._days: dict[int, tuple[DayInfo, ...]] = {}
        self._intervals: dict[int, tuple[tuple[int, int], ...]] = {}

    def days(self, year: int) -> tuple[DayInfo, ...]:
        """Every day of ``year``, in order."""
        if year not in self._days:
            with self._lock:
                self._build(year, year)
        return self._days[year]

    def window(self, first: int, last: int, current: Window = EMPTY) -> Window:
        """A window covering the years ``first``–``last``: ``current`` grown if near, else a new one."""
        if current.last >= current.first and first <= current.last + JOIN_YEARS and current.first - JOIN_YEARS <= last:
            first, last = min(first, current.first), max(last, current.last)
            if (first, last) == (current.first, current.last):
                return current
        with self._lock:
            self._build(first, last)
        lo = micros(datetime(first, 1, 1, tzinfo=self.tz))
        hi = micros(datetime(last + 1, 1, 1, tzinfo=self.tz))
        intervals = chain.from_iterable(self._intervals[year] for year in range(first, last + 1))
        return Window(first, last, IntervalTable.build(lo, hi, intervals))

    def _build(self, first: int, last: int) -> None:
        if first < FIRST_YEAR or last > LAST_YEAR:
            raise ValueError(f"years {first}–{last} are outside the supported {FIRST_YEAR}–{LAST_YEAR}")
        missing = [year for year in range(first - 1, last + 2) if year not in self._red_years]
        if missing:  # one holidays lookup for all new years, and their neighbours for the day-before rules
            self._red.update(red_days(missing, self.rules.closed_eves))
            self._red_years.update(missing)
        for year in range(first, last + 1):
            if year not in self._days:
                self._build_year(year)

    def _build_year(self, year: int) -> None:
        start = date(year, 1, 1)
        days = tuple(self._day(start + timedelta(days=n)) for n in range((date(year + 1, 1, 1) - start).days))
        self._intervals[year] = tuple(
            (micros(datetime.combine(info.day, begin, self.tz)), micros(datetime.combine(info.day, end, self.tz)))
            for info in days
            for begin, end in info.spans
        )
        self._days[year] = days  # last: readers check this key without the lock

    def _day(self, day: date) -> DayInfo:
        rule = rule_day(day, self.rules, self._red)
        deviation = self._deviations.get(day)
        if deviation is None:
            return rule
        return DayInfo(day, DayKind.DEVIATION, deviation.spans(self.rules), rule.red_day, deviation.note, deviation.note_en)
