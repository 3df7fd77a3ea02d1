"""What a report covers: the period asked for, and the weeks and days its trend charts show.

A period is whole local days of the desk's time zone, ``first`` to ``last``
inclusive (the default is the last full ISO week). Charts "per week" and "per
day" show the *window*: the period, extended back to at least ``trend_weeks``
whole ISO weeks ending with the period's last week, so a weekly report still
shows a trend. Figures "for the period" use the period alone.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def week_label(day: date) -> str:
    """The ISO week of a local date: ``2026-W11``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def last_full_week(now: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """Monday and Sunday of the ISO week before the one ``now`` falls in (desk time)."""
    this_monday = monday(now.astimezone(tz).date())
    return this_monday - timedelta(days=7), this_monday - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    first: date  # local, inclusive
    last: date  # local, inclusive
    tz: ZoneInfo
    trend_weeks: int = 8

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"the period ends ({self.last}) before it starts ({self.first})")

    # Cached, and in UTC like the database's instants: a year's report compares 50,000 tickets with these,
    # and aware datetimes of one tzinfo compare without asking a ZoneInfo for offsets (several times
    # faster). A frozen dataclass may still fill __dict__, which is where cached_property keeps them.
    @cached_property
    def start(self) -> datetime:
        """The period's first instant (local midnight of ``first``), aware (UTC)."""
        return self.midnight(self.first).astimezone(timezone.utc)

    @cached_property
    def end(self) -> datetime:
        """The instant after the period (local midnight after ``last``), aware (UTC)."""
        return self.midnight(self.last + timedelta(days=1)).astimezone(timezone.utc)

    @property
    def window_first(self) -> date:
        """The first day the trend charts show: a Monday, ``trend_weeks`` weeks back at least."""
        return min(monday(self.first), monday(self.last) - timedelta(weeks=self.trend_weeks - 1))

    @cached_property
    def window_start(self) -> datetime:
        return self.midnight(self.window_first).astimezone(timezone.utc)

    def weeks(self) -> list[str]:
        """ISO week labels of the window, oldest first."""
        return [week_label(self.window_first + timedelta(weeks=n))
                for n in range((monday(self.last) - self.window_first).days // 7 + 1)]

    def days(self) -> list[date]:
        """Every local day of the window, oldest first."""
        return [self.window_first + timedelta(days=n) for n in range((self.last - self.window_first).days + 1)]

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.tz)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def week_of(self, at: datetime) -> str:
        """The ISO week label of an instant (by the window's local Mondays, no time-zone arithmetic inside it)."""
        mondays, labels = self._week_starts
        n = bisect_right(mondays, at)
        if 0 < n < len(mondays):
            return labels[n - 1]
        return week_label(self.local_date(at))

    @cached_property
    def _week_starts(self) -> tuple[list[datetime], list[str]]:
        mondays = [self.window_first + timedelta(weeks=n) for n in range(len(self.weeks()) + 1)]
        return [self.midnight(day).astimezone(timezone.utc) for day in mondays], [week_label(day) for day in mondays]

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end
