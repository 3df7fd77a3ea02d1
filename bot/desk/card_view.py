"""A ticket's card, read from the database: the card is always rebuilt from here, never patched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.sla.status import first_response_status
from bot.slack.views import CardView
from storage.models import Agent, Attachment, Contact, Organisation, Ticket, TicketMessage


def card_view(session: Session, ticket: Ticket, calendar, now: datetime) -> CardView:
    """Everything the card shows for ``ticket`` at ``now``."""
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
    )
