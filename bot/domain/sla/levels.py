"""Which SLA alert a ticket is due for, and when to look at it next. Pure business-time arithmetic.

A ticket's first-response alerts come in one order — the warning, the breach,
then reminder 1, 2, … while it stays breached — and each is recorded once under
its (level, occurrence) key. What comes next depends on the instant *and* on the
last alert recorded, never on the instant alone: a monitor that looks late (the
service was down, a tick was slow, the desk was closed) raises the one alert that
is due, never a burst of the ones it missed, and never skips the breach.

- **Warning**: from ``warn_at``, while at least half of its notice
  (``warn_at`` → ``due_at`` in business minutes) is left. Later than that, a
  warning is noise seconds before the breach: the breach is the first alert.
- **Breach**: the first look at or after ``due_at``, whatever came before
  (issue 16: after a restart at 11:50 the breach of 10:50 was never sent, and
  "reminder 1" and "reminder 2" went out 3 s apart).
- **Reminder k**: ``repeat_minutes`` business minutes after the previous alert
  was raised, counted from when it was raised, so two alerts are never closer
  than that. Late by up to one monitor tick each; that is the price of "never
  two at once".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

LEVELS = ("warning", "breach", "reminder")


@dataclass(frozen=True, slots=True)
class Raised:
    """The last alert recorded for a ticket: its level, occurrence and when it was raised."""

    level: str
    occurrence: int
    at: datetime


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


def decide(calendar, now: datetime, warn_at: datetime | None, due_at: datetime, repeat_minutes: float,
           last: Raised | None = None) -> Decision:
    """The alert that follows ``last`` at ``now`` (see the module docstring), and when to look next.

    Deciding again at the same instant after the same ``last`` gives the same
    key: two replicas, or a restart between a commit and the next tick, insert
    the same (level, occurrence), and the unique key keeps one.
    """
    if last is not None and last.level != "warning":
        return _reminder(calendar, now, due_at, repeat_minutes, last)
    if now >= due_at:
        return Decision("breach", 1, calendar.add_business_minutes(now, repeat_minutes))
    if last is None and warn_at is not None and now >= warn_at:
        return Decision("warning", 1, due_at) if _notice_left(calendar, now, warn_at, due_at) else \
            Decision(None, 0, due_at)
    return Decision(None, 0, warn_at if last is None and warn_at is not None else due_at)


def _notice_left(calendar, now: datetime, warn_at: datetime, due_at: datetime) -> bool:
    """Whether at least half of the warning's notice is still ahead (always, for a look on time)."""
    return 2 * calendar.business_minutes_between(now, due_at) >= calendar.business_minutes_between(warn_at, due_at)


def _reminder(calendar, now: datetime, due_at: datetime, repeat_minutes: float, last: Raised) -> Decision:
    """After the breach: the next reminder once ``repeat_minutes`` have passed since ``last`` (and still overdue).

    ``due_at`` can lie after the breach when a lower priority moved the target
    (:func:`bot.desk.sla_target.recompute_first_response`): no reminder until
    the ticket is overdue again.
    """
    reminder_at = max(due_at, calendar.add_business_minutes(last.at, repeat_minutes))
    if now < reminder_at:
        return Decision(None, 0, reminder_at)
    occurrence = last.occurrence + 1 if last.level == "reminder" else 1
    return Decision("reminder", occurrence, calendar.add_business_minutes(now, repeat_minutes))
