"""The first-response SLA as staff see it: on track → due soon → overdue → met / missed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SlaStatus:
    state: str  # on_track | due_soon | overdue | met | missed
    text: str


def first_response_status(calendar, now: datetime, due_at: datetime | None, warn_at: datetime | None,
                          responded_at: datetime | None) -> SlaStatus | None:
    """The card's SLA field; minutes count business time only (the clock stops when the desk closes)."""
    if due_at is None:
        return None
    if responded_at is not None:
        return SlaStatus("met", "first response met") if responded_at <= due_at else \
            SlaStatus("missed", f"first response {_minutes(calendar.business_minutes_between(due_at, responded_at))} late")
    if now >= due_at:
        return SlaStatus("overdue", f"overdue {_minutes(calendar.business_minutes_between(due_at, now))}")
    if warn_at is not None and now >= warn_at:
        return SlaStatus("due_soon", f"due in {_minutes(calendar.business_minutes_between(now, due_at))}")
    local = due_at.astimezone(calendar.tz)
    today = now.astimezone(calendar.tz).date() == local.date()
    return SlaStatus("on_track", f"first response due {local:%H:%M}" if today else
                     f"first response due {local:%a %d %b %H:%M}")


def _minutes(value: float) -> str:
    return f"{max(0, round(value))} min"
