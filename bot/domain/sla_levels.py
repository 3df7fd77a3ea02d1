"""Which SLA alert a ticket is due for, and when to look at it next. Pure business-time arithmetic.

A ticket's first-response clock has three kinds of instant: the warning
(``warn_at``), the breach (``due_at``) and, while it stays breached, a reminder
every ``repeat_minutes`` *business* minutes after the breach. The level is a
function of the instant alone, so deciding it twice (two replicas, a restart)
gives the same (level, occurrence) — the key that makes an alert exactly-once.
A monitor that looks late (it was down, the desk was closed) sends only the
level that is current, never the ones it missed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

LEVELS = ("warning", "breach", "reminder")


@dataclass(frozen=True, slots=True)
class Decision:
    """The alert due now (``level`` None: none yet) and the next instant that needs a look."""

    level: str | None
    occurrence: int
    next_check_at: datetime


def first_response_times(calendar, created_at: datetime, budget_minutes: float,
                         warning_fraction: float) -> tuple[datetime, datetime]:
    """(warn_at, due_at): the budget and its warning share counted in business minutes from ``created_at``."""
    return (calendar.add_business_minutes(created_at, budget_minutes * warning_fraction),
            calendar.add_business_minutes(created_at, budget_minutes))


def decide(calendar, now: datetime, warn_at: datetime | None, due_at: datetime, repeat_minutes: float) -> Decision:
    """The level current at ``now``: nothing before the warning, the warning until the breach, then
    the breach (occurrence 1) and reminder ``k`` once ``k × repeat_minutes`` business minutes have
    passed since it."""
    if now < due_at:
        if warn_at is not None and now >= warn_at:
            return Decision("warning", 1, due_at)
        return Decision(None, 0, warn_at if warn_at is not None else due_at)
    late = calendar.business_minutes_between(due_at, now)
    # business_minutes_between is exact microseconds / 60e6; the epsilon only guards the division.
    k = max(0, math.floor(late / repeat_minutes + 1e-9))
    following = calendar.add_business_minutes(due_at, (k + 1) * repeat_minutes)
    if k == 0:
        return Decision("breach", 1, following)
    return Decision("reminder", k, following)
