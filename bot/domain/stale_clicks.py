"""When a click on an out-of-date card still goes through: by conflict, not by revision.

A card shows a ticket as it was at one revision, and it lags: its update waits
for Slack's per-channel pacing (one post a second), so right after a customer's
reply the thread already shows the reply while the card still carries the old
revision. Refusing every click whose revision is old made agents click twice.
So a control carries what the card showed (:class:`Seen`), and an action is
refused as stale only when a field it rests on (:data:`PREMISES`) has changed
since: someone else claimed, the status or the priority moved, the case closed.
A customer's new message, an SLA tick or an attachment changes none of them.

A value without the fields (drawn before they were carried: cards already in
Slack at an upgrade, or callers that know only a revision) is checked the old
way: any change since that revision makes it stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.tickets import Status

# What each staff action rests on. Claim's other premise, that nobody holds the
# ticket, is its own compare-and-set and answers "already claimed by …".
PREMISES: dict[str, tuple[str, ...]] = {
    "claim": ("closed",),
    "unassign": ("assignee", "closed"),
    "escalate": ("line", "closed"),
    "set_priority": ("priority", "closed"),
    "set_status": ("status",),
    "reply": ("status",),  # another agent's answer or the customer reopening it moves the status
    "request_information": ("status",),
    "log_call": ("closed",),  # a call on a case closed meanwhile belongs on a new case
}


@dataclass(frozen=True, slots=True)
class Seen:
    """What an agent saw of a ticket when acting: the revision drawn and, when carried, the fields shown."""

    revision: int
    assignee_id: int | None = None
    status: str | None = None  # None: only the revision is known
    line: int | None = None
    priority: str | None = None

    @classmethod
    def of(cls, ticket: Any) -> Seen:
        """The fields of ``ticket`` (anything with these attributes) as they are now."""
        return cls(ticket.revision, ticket.assignee_id, ticket.status, ticket.line, ticket.priority)

    @property
    def carries_fields(self) -> bool:
        return self.status is not None

    def field(self, premise: str) -> Any:
        """A premise's value: ``assignee`` (the agent's id), ``status``, ``closed`` (a bool), ``line``, ``priority``."""
        if premise == "closed":
            return self.status == Status.CLOSED
        return self.assignee_id if premise == "assignee" else getattr(self, premise)


def stale_field(action: str, seen: Seen | int, now: Seen) -> str | None:
    """The first premise of ``action`` that changed between ``seen`` and ``now``; ``"revision"`` for a bare
    revision that moved on; None when the action may go ahead."""
    if isinstance(seen, int) or not seen.carries_fields:
        revision = seen if isinstance(seen, int) else seen.revision
        return None if revision == now.revision else "revision"
    return next((name for name in PREMISES[action] if seen.field(name) != now.field(name)), None)
