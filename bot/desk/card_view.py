"""A ticket's card as plain data, read from the database: the card is always rebuilt from here, never patched.

:class:`CardView` (and :class:`InquiryView` for a new-case notice) hold
already-decided, already-rendered facts (the SLA text is a finished string);
``bot/slack/blocks/card.py`` only lays them out and escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app.config import MemorySettings
from bot.desk.memory import similar_cases
from bot.desk.memory_listing import card_link
from bot.desk.org_context import OrgContext, org_context
from bot.domain.sla.status import first_response_status
from bot.domain.stale_clicks import Seen
from bot.domain.tickets import PRIORITIES, STATUSES, Status
from storage.models import Agent, Attachment, Contact, Organisation, Ticket, TicketMessage


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


def _check(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def card_view(session: Session, ticket: Ticket, calendar, now: datetime,
              memory: MemorySettings = MemorySettings()) -> CardView:
    """Everything the card shows for ``ticket`` at ``now``.

    The similar solved cases are looked up here, when the card is built (by the
    outbox worker, or for ``/support TC-…``), never on the intake path.
    """
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    organisation = session.get(Organisation, ticket.organisation_id) if ticket.organisation_id else None
    assignee = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
    first = session.execute(
        select(TicketMessage).where(TicketMessage.ticket_id == ticket.id, TicketMessage.direction == "inbound")
        .order_by(TicketMessage.id).limit(1)
    ).scalar_one_or_none()
    attachments = session.execute(
        select(func.count(Attachment.id)).join(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
    ).scalar_one()
    sla = first_response_status(calendar, now, ticket.first_response_due_at, ticket.first_response_warn_at,
                                ticket.first_response_at) if ticket.status != Status.CLOSED or ticket.first_response_at \
        else None
    context = org_context(session, ticket, contact) if ticket.status != "closed" else OrgContext()
    return CardView(
        ticket_id=ticket.id, revision=ticket.revision, reference=ticket.reference, subject=ticket.subject,
        status=ticket.status, line=ticket.line, priority=ticket.priority, category=ticket.category,
        suggested_line=ticket.suggested_line, suggested_category=ticket.suggested_category,
        organisation_name=organisation.name if organisation else None,
        contact_name=contact.name if contact else (first.author_name if first else None),
        contact_email=contact.email if contact else (first.author_email if first else None),
        assignee_slack_id=assignee.slack_user_id if assignee else None,
        assignee_name=(assignee.name or assignee.email) if assignee else None, assignee_id=ticket.assignee_id,
        sla_text=sla.text if sla else None, sla_state=sla.state if sla else None,
        excerpt=(first.stripped_text or first.text) if first else "", attachment_count=attachments,
        closed=ticket.status == Status.CLOSED, contact_authorised=contact is None or contact.authorised,
        similar=_similar(session, ticket, first, memory) if ticket.status != Status.CLOSED else (),
        others_open=context.others_open, others_recent=context.others_recent, services=context.services,
    )


def _similar(session: Session, ticket: Ticket, first, memory: MemorySettings) -> tuple[SimilarCase, ...]:
    if not memory.similar_on_card:
        return ()
    text = (first.stripped_text if first.stripped_text is not None else first.text) if first else ""
    cases = similar_cases(session, ticket.subject, text, limit=memory.similar_on_card,
                          min_score=memory.similar_min_score, exclude_ticket_id=ticket.id,
                          embeddings=memory.embeddings, min_similarity=memory.similar_min_similarity,
                          language=ticket.language)
    cards = {row.id: card_link(row.slack_channel, row.slack_card_ts) for row in session.execute(
        select(Ticket.id, Ticket.slack_channel, Ticket.slack_card_ts)
        .where(Ticket.id.in_([case.ticket_id for case in cases])))} if cases else {}
    return tuple(SimilarCase(case.reference, case.subject, case.answer, cards.get(case.ticket_id, ""))
                 for case in cases)
