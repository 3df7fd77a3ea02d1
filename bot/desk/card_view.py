"""A ticket's card, read from the database: the card is always rebuilt from here, never patched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app.config import MemorySettings
from bot.desk.memory import similar_cases
from bot.desk.memory_listing import card_link
from bot.desk.org_context import OrgContext, org_context
from bot.domain.sla.status import first_response_status
from bot.slack.views import CardView, SimilarCase
from storage.models import Agent, Attachment, Contact, Organisation, Ticket, TicketMessage


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
                                ticket.first_response_at) if ticket.status != "closed" or ticket.first_response_at \
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
        closed=ticket.status == "closed", contact_authorised=contact is None or contact.authorised,
        similar=_similar(session, ticket, first, memory) if ticket.status != "closed" else (),
        others_open=context.others_open, others_recent=context.others_recent, services=context.services,
    )


def _similar(session: Session, ticket: Ticket, first, memory: MemorySettings) -> tuple[SimilarCase, ...]:
    if not memory.similar_on_card:
        return ()
    text = (first.stripped_text if first.stripped_text is not None else first.text) if first else ""
    cases = similar_cases(session, ticket.subject, text, limit=memory.similar_on_card,
                          min_score=memory.similar_min_score, exclude_ticket_id=ticket.id)
    cards = {row.id: card_link(row.slack_channel, row.slack_card_ts) for row in session.execute(
        select(Ticket.id, Ticket.slack_channel, Ticket.slack_card_ts)
        .where(Ticket.id.in_([case.ticket_id for case in cases])))} if cases else {}
    return tuple(SimilarCase(case.reference, case.subject, case.answer, cards.get(case.ticket_id, ""))
                 for case in cases)
