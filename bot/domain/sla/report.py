"""First-response figures per line: counts, median and p90 in business minutes, breaches. Pure."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

COLUMNS = ("line", "tickets", "answered", "waiting", "median_min", "p90_min", "breaches", "breach_pct")


class TicketTimes(Protocol):
    """What a row needs for these figures (bot/desk/reports/queries.py ``TicketRow`` has it)."""

    line: int
    created_at: datetime
    due_at: datetime | None
    responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class LineFigures:
    line: str  # "1", "2", "3" or "all"
    tickets: int
    answered: int
    waiting: int  # no first response yet
    median_min: float | None
    p90_min: float | None
    breaches: int  # answered late, or still unanswered past the due time
    breach_pct: float | None

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in COLUMNS)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (p90 of 10 values is the 9th smallest); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def figures(tickets: Iterable[TicketTimes], calendar, now: datetime) -> list[LineFigures]:
    """One row per line that has tickets, then the total ("all")."""
    by_line: dict[str, list[TicketTimes]] = {}
    for ticket in tickets:
        by_line.setdefault(str(ticket.line), []).append(ticket)
    everything = [ticket for line in by_line.values() for ticket in line]
    return [_line(name, by_line[name], calendar, now) for name in sorted(by_line)] + \
        [_line("all", everything, calendar, now)]


def _line(name: str, tickets: list[TicketTimes], calendar, now: datetime) -> LineFigures:
    minutes = [calendar.business_minutes_between(t.created_at, t.responded_at) for t in tickets if t.responded_at]
    breaches = sum(1 for t in tickets if t.due_at is not None and (t.responded_at or now) > t.due_at)
    median = statistics.median(minutes) if minutes else None
    return LineFigures(
        line=name, tickets=len(tickets), answered=len(minutes), waiting=len(tickets) - len(minutes),
        median_min=_round(median), p90_min=_round(percentile(minutes, 0.9)), breaches=breaches,
        breach_pct=round(100 * breaches / len(tickets), 1) if tickets else None,
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
