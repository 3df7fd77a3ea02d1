"""Plain data the Slack builders render: a ticket card and a new-case inquiry.

The views hold already-decided, already-rendered facts (the SLA text is a
finished string); the builders only lay them out and escape them. The ids and
the values the controls carry are in :mod:`bot.slack.ids`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.stale_clicks import Seen

STATUSES = ("new", "open", "waiting_on_customer", "closure_requested", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
LINES = (1, 2, 3)
SLA_STATES = ("on_track", "due_soon", "overdue", "met", "missed")

@dataclass(frozen=True, slots=True)
class SimilarCase:
    """A closed case like this one: reference, subject, the first sentence of its final answer; raw text."""

    reference: str
    subject: str
    answer: str = ""
    url: str = ""  # its card, when it has one (imported cases have none)


@dataclass(frozen=True, slots=True)
class CardView:
    """Everything a ticket card shows; mirrors the `tickets` columns plus rendered names and SLA text."""

    ticket_id: int
    revision: int
    reference: str
    subject: str
    status: str = "new"
    line: int = 1
    priority: str = "normal"
    category: str | None = None
    suggested_line: int | None = None
    suggested_category: str | None = None
    organisation_name: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    assignee_slack_id: str | None = None
    assignee_name: str | None = None
    assignee_id: int | None = None
    sla_text: str | None = None  # e.g. "first response due 14:30", "overdue 10 min", "met"
    sla_state: str | None = None  # one of SLA_STATES; None when no SLA runs
    excerpt: str = ""  # customer text, raw; the builder escapes and shortens it
    attachment_count: int = 0
    closed: bool = False
    contact_authorised: bool = True  # False: de-authorised in the directory since
    similar: tuple["SimilarCase", ...] = ()  # "Similar solved cases", best first

    def __post_init__(self) -> None:
        _check("status", self.status, STATUSES)
        _check("priority", self.priority, PRIORITIES)
        _check("line", self.line, LINES)
        if self.suggested_line is not None:
            _check("suggested_line", self.suggested_line, LINES)
        if self.sla_state is not None:
            _check("sla_state", self.sla_state, SLA_STATES)

    @property
    def is_closed(self) -> bool:
        """Closed by flag or by status."""
        return self.closed or self.status == "closed"

    @property
    def is_assigned(self) -> bool:
        """Whether someone holds the ticket."""
        return bool(self.assignee_slack_id or self.assignee_name)

    @property
    def seen(self) -> Seen:
        """What the card shows that staff actions rest on; its controls carry it."""
        return Seen(self.revision, self.assignee_id, self.status, self.line, self.priority)


@dataclass(frozen=True, slots=True)
class InquiryView:
    """A new case that arrived by mail or chat and was answered with the portal link."""

    inquiry_id: int  # the stored inbound message the buttons refer to
    channel: str  # "email" | "slack"
    sender_name: str | None = None
    sender_email: str | None = None
    organisation_name: str | None = None
    subject: str | None = None
    excerpt: str = ""
    received_text: str | None = None  # rendered, e.g. "received 10:42"
    portal_answer_sent: bool = True
    contact_authorised: bool = True  # False: a registered contact who may no longer open cases


def _check(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
