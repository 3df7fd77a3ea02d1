"""The open backlog at the end of each day, and how often closed cases came back.

A ticket is open from its registration until it is closed, and again from a
reopening until the next closing; the closings and reopenings are its
``status_changed`` events. A ticket closed without such an event (history
imported from another system) counts as closed from its ``closed_at``. The
reopen rate of a week is its reopenings over its closings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from bot.desk.reports.period import Period


@dataclass(frozen=True, slots=True)
class Reopens:
    closed: int = 0
    reopened: int = 0

    @property
    def rate_pct(self) -> float | None:
        return round(100 * self.reopened / self.closed, 1) if self.closed else None

    def as_dict(self) -> dict:
        return {"closed": self.closed, "reopened": self.reopened, "rate_pct": self.rate_pct}


@dataclass(frozen=True)
class Backlog:
    days: list[tuple[date, int]]  # open tickets at the end of each day of the window
    period: Reopens
    weeks: list[tuple[str, Reopens]]

    def as_dict(self) -> dict:
        return {"open_at_end_of_day": [{"date": day.isoformat(), "open": n} for day, n in self.days],
                "reopens": self.period.as_dict(),
                "weeks": [{"week": week, **reopens.as_dict()} for week, reopens in self.weeks]}


def changes(spans, events) -> list[tuple[datetime, int]]:
    """(instant, +1 opened / −1 closed) for every ticket of ``spans`` (id, created_at, closed_at)."""
    by_ticket: dict[int, list] = defaultdict(list)
    for ticket_id, at, _, new in events:  # unpacked: a Row's attributes cost more than its items
        by_ticket[ticket_id].append((at, -1 if new == "closed" else 1))
    found: list[tuple[datetime, int]] = []
    for ticket_id, created_at, closed_at in spans:
        found.append((created_at, 1))
        recorded = by_ticket.get(ticket_id)
        if recorded:
            found.extend(recorded)
        elif closed_at is not None:
            found.append((closed_at, -1))
    return sorted(found)


def open_per_day(found: list[tuple[datetime, int]], period: Period) -> list[tuple[date, int]]:
    """How many were open at the end of each day of the window."""
    instants = [at for at, _ in found]
    running = list(accumulate(delta for _, delta in found))
    result = []
    for day in period.days():
        n = bisect_left(instants, period.midnight(day + timedelta(days=1)))
        result.append((day, running[n - 1] if n else 0))
    return result


def backlog(spans, events, period: Period) -> Backlog:
    """The section from :func:`bot.desk.reports.queries.open_spans` and ``closing_events`` over the window."""
    spans = list(spans)
    events = list(events)
    closed_ids = {event.ticket_id for event in events}
    imported = [(closed_at, "closed") for ticket_id, _, closed_at in spans
                if closed_at is not None and ticket_id not in closed_ids]
    moves = [(e.created_at, "closed" if e.new == "closed" else "reopened") for e in events] + imported
    weeks: dict[str, list[int]] = {week: [0, 0] for week in period.weeks()}
    total = [0, 0]
    for at, what in moves:
        if at < period.window_start or at >= period.end:
            continue
        index = 0 if what == "closed" else 1
        weeks.setdefault(period.week_of(at), [0, 0])[index] += 1
        if period.contains(at):
            total[index] += 1
    return Backlog(open_per_day(changes(spans, events), period), Reopens(*total),
                   [(week, Reopens(*counts)) for week, counts in weeks.items()])
