"""The two-hour promise: kept, missed or pending per ticket, per week, per line and priority; the times.

A ticket *kept* the promise when its first response came by its due time and
*missed* it when the response came later or has not come and the due time has
passed (the ``breaches`` of `supportbot sla report`); it is *pending* while
unanswered and not yet due. The kept share counts decided tickets only, so a
Friday-afternoon case still within its budget on Monday morning neither helps
nor hurts. Times are business minutes from registration to the first response.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.desk.reports.period import Period
from bot.desk.reports.queries import TicketRow
from bot.domain.sla.report import LineFigures, figures
from bot.domain.tickets import PRIORITIES

MOST_URGENT_FIRST = PRIORITIES[::-1]
BIN_COUNT = 16  # bins of a quarter of the target each, up to four targets; one more for the rest


@dataclass(frozen=True, slots=True)
class Kept:
    kept: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def decided(self) -> int:
        return self.kept + self.missed

    @property
    def kept_pct(self) -> float | None:
        return round(100 * self.kept / self.decided, 1) if self.decided else None

    def as_dict(self) -> dict:
        return {"kept": self.kept, "missed": self.missed, "pending": self.pending, "kept_pct": self.kept_pct}


@dataclass(frozen=True, slots=True)
class Bin:
    low: float  # business minutes, inclusive
    high: float | None  # exclusive; None: and longer
    count: int


@dataclass(frozen=True)
class FirstResponse:
    target_minutes: int
    goal_pct: float
    lines: list[LineFigures]  # exactly `supportbot sla report`'s rows for the period
    period: Kept
    weeks: list[tuple[str, Kept]]
    cells: list[tuple[str, str, Kept]]  # (line, priority, outcome) with tickets
    bins: list[Bin]

    @property
    def total(self) -> LineFigures:
        return self.lines[-1]

    def as_dict(self) -> dict:
        return {
            "target_minutes": self.target_minutes, "goal_pct": self.goal_pct,
            "lines": [dict(zip(("line", "tickets", "answered", "waiting", "median_min", "p90_min", "breaches",
                                "breach_pct"), line.row())) for line in self.lines],
            "period": self.period.as_dict(),
            "weeks": [{"week": week, **kept.as_dict()} for week, kept in self.weeks],
            "by_line_priority": [{"line": line, "priority": priority, **kept.as_dict()}
                                 for line, priority, kept in self.cells],
            "distribution": [{"from_min": b.low, "to_min": b.high, "tickets": b.count} for b in self.bins],
        }


def outcome(ticket: TicketRow, now: datetime) -> str | None:
    """``kept``, ``missed``, ``pending``, or None for a ticket without a due time."""
    if ticket.due_at is None:
        return None
    if ticket.responded_at is not None:
        return "kept" if ticket.responded_at <= ticket.due_at else "missed"
    return "missed" if now > ticket.due_at else "pending"


def tally(tickets: Iterable[TicketRow], now: datetime) -> Kept:
    counts = Counter(outcome(ticket, now) for ticket in tickets)
    return Kept(counts["kept"], counts["missed"], counts["pending"])


class MinutesOnce:
    """The calendar's ``business_minutes_between``, each pair computed once: the per-line rows, their total
    and the distribution ask it of the same tickets (150,000 calls for a busy year, a third of them needed)."""

    def __init__(self, calendar):
        self._calendar = calendar
        self._known: dict[tuple[datetime, datetime], float] = {}

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        key = (start, end)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._calendar.business_minutes_between(start, end)
        return found


def first_response(window: Sequence[TicketRow], period: Period, calendar, now: datetime, *, target_minutes: int,
                   goal_pct: float) -> FirstResponse:
    """The section from the window's tickets (registered in the trend window, oldest first)."""
    calendar = MinutesOnce(calendar)
    in_period = [t for t in window if period.contains(t.created_at)]
    by_week: dict[str, list[TicketRow]] = {week: [] for week in period.weeks()}
    for ticket in window:
        by_week.setdefault(period.week_of(ticket.created_at), []).append(ticket)
    by_cell: dict[tuple[str, str], list[TicketRow]] = {}
    for ticket in in_period:
        by_cell.setdefault((str(ticket.line), ticket.priority), []).append(ticket)
    cells = sorted(by_cell, key=lambda cell: (cell[0], MOST_URGENT_FIRST.index(cell[1]) if cell[1] in PRIORITIES else 9))
    minutes = [calendar.business_minutes_between(t.created_at, t.responded_at) for t in in_period if t.responded_at]
    return FirstResponse(
        target_minutes=target_minutes, goal_pct=goal_pct, lines=figures(in_period, calendar, now),
        period=tally(in_period, now), weeks=[(week, tally(tickets, now)) for week, tickets in by_week.items()],
        cells=[(line, priority, tally(by_cell[line, priority], now)) for line, priority in cells],
        bins=histogram(minutes, target_minutes),
    )


def histogram(minutes: Iterable[float], target_minutes: int) -> list[Bin]:
    """Counts in bins of a quarter of the target, up to four targets, and one open bin beyond."""
    width = target_minutes / 4
    counts = [0] * (BIN_COUNT + 1)
    for value in minutes:
        counts[min(BIN_COUNT, int(max(0.0, value) // width))] += 1
    return [Bin(round(n * width, 1), round((n + 1) * width, 1) if n < BIN_COUNT else None, count)
            for n, count in enumerate(counts)]
