"""Plain data the Slack builders render: a ticket card, a new-case inquiry, and the values buttons carry.

The views hold already-decided, already-rendered facts (the SLA text is a
finished string); the builders only lay them out and escape them. The
value format is shared with the listeners that parse clicks back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.domain.stale_clicks import Seen

STATUSES = ("new", "open", "waiting_on_customer", "closure_requested", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
LINES = (1, 2, 3)
SLA_STATES = ("on_track", "due_soon", "overdue", "met", "missed")

# action_ids and callback_ids: the builders emit them, the listeners match on them.
CLAIM, UNASSIGN, REPLY, ESCALATE = "ticket_claim", "ticket_unassign", "ticket_reply", "ticket_escalate"
PRIORITY, STATUS, REQUEST_INFO = "ticket_priority", "ticket_status", "ticket_request_info"
INQUIRY_OPEN, INQUIRY_DISMISS = "inquiry_open", "inquiry_dismiss"
REPLY_MODAL, REPLY_TEXT, REPLY_CANNED = "reply_modal", "reply_text", "reply_canned"


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
    # Context at a glance (bot/desk/org_context.py): the organisation's other open cases, the contact's services.
    others_open: int = 0
    others_recent: tuple[tuple[str, str], ...] = ()  # (reference, card link or "") of the two most recent
    services: tuple[str, ...] = ()

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


@dataclass(frozen=True, slots=True)
class ActionValue:
    """What a clicked element carried: the ticket, what the card showed of it, and a choice for selects."""

    ticket_id: int
    seen: Seen
    choice: str | None = None


# Keys of a value: t ticket, r revision, a assignee id, s status, l line, p priority, v a select's choice.
# One letter each: a select option's value holds at most 150 characters (the longest is ~120).
def ticket_value(ticket_id: int, seen: Seen, choice: str | None = None) -> str:
    """The JSON an element on a card (or a modal's metadata) carries: the ticket and what was shown of it."""
    data: dict[str, Any] = {"t": ticket_id, "r": seen.revision}
    if seen.carries_fields:
        data |= {"a": seen.assignee_id, "s": seen.status, "l": seen.line, "p": seen.priority}
    if choice is not None:
        data["v"] = choice
    return json.dumps(data, separators=(",", ":"))


def parse_ticket_value(value: str) -> ActionValue:
    """The inverse of :func:`ticket_value`; ValueError for anything else (clicks are untrusted input).

    A value without the fields (``{"t", "r"}``, from cards posted before they
    carried them) parses to a bare revision, checked the old way.
    """
    try:
        data = json.loads(value)
        ticket_id, revision, choice = data["t"], data["r"], data.get("v")
        seen = Seen(revision, data["a"], data["s"], data["l"], data["p"]) if "s" in data else Seen(revision)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not a ticket action value: {value[:80]!r}") from exc
    if not (_is_int(ticket_id) and _is_int(revision) and (choice is None or isinstance(choice, str))
            and _plausible(seen)):
        raise ValueError(f"not a ticket action value: {value[:80]!r}")
    return ActionValue(ticket_id, seen, choice)


def _is_int(value: Any) -> bool:
    return type(value) is int


def _plausible(seen: Seen) -> bool:
    if not seen.carries_fields:
        return True
    return (seen.assignee_id is None or _is_int(seen.assignee_id)) and seen.status in STATUSES \
        and seen.line in LINES and _is_int(seen.line) and seen.priority in PRIORITIES


@dataclass(frozen=True, slots=True)
class ReplySubmission:
    """What the reply modal submitted; ``text_block_id`` is where to attach a validation error."""

    ticket_id: int
    seen: Seen
    text: str
    canned_id: str | None
    text_block_id: str


def parse_reply_submission(view: dict[str, Any]) -> ReplySubmission:
    """The ticket, what was shown of it, typed text and chosen canned reply from a ``reply_modal`` submission."""
    meta = parse_ticket_value(view.get("private_metadata") or "")
    text, canned_id, text_block_id = "", None, ""
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        if REPLY_TEXT in actions:
            text, text_block_id = actions[REPLY_TEXT].get("value") or "", block_id
        if REPLY_CANNED in actions:
            canned_id = (actions[REPLY_CANNED].get("selected_option") or {}).get("value")
    return ReplySubmission(meta.ticket_id, meta.seen, text, canned_id, text_block_id)


def inquiry_value(inquiry_id: int) -> str:
    """The JSON the inquiry buttons carry: ``{"i": inquiry_id}``."""
    return json.dumps({"i": inquiry_id}, separators=(",", ":"))


def parse_inquiry_value(value: str) -> int:
    """The inquiry id from :func:`inquiry_value`; ValueError otherwise."""
    try:
        inquiry_id = json.loads(value)["i"]
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not an inquiry action value: {value[:80]!r}") from exc
    if type(inquiry_id) is not int:
        raise ValueError(f"not an inquiry action value: {value[:80]!r}")
    return inquiry_id


def _check(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
