"""`supportbot contact export EMAIL`: everything stored about one person, as one JSON document.

The access request beside ``forget`` (bot/jobs/privacy.py), and it finds the person
the same ways: the contact row, messages they wrote, inquiries from their address
or Slack user, ticket participants, automatic answers, outbox rows and ticket
events that name the address, raw mail with their envelope or From/Sender/Reply-To.
Raw mail is listed by its headers' facts, not its bytes (the messages hold the text).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.directory_views import contact_view, iso
from bot.jobs.privacy import chunks, mentions, naming, unlinked_raw_mail_from
from storage.models import (
    Attachment, AutoreplyLog, Contact, DirectoryEvent, Inquiry, OutboxRow, RawMessage, SurveyResponse, Ticket,
    TicketEvent, TicketMessage, TicketParticipant,
)


def export_person(sessions: sessionmaker[Session], email: str, now: datetime) -> dict[str, Any]:
    """The document: ``email``, ``exported_at`` and one list per kind of record."""
    address = email.strip().lower()
    with sessions() as session:
        contact = session.execute(select(Contact).where(Contact.email == address)).scalar_one_or_none()
        tickets = _their_tickets(session, address, contact)
        refs = {ticket.id: ticket.reference for ticket in tickets}
        messages = _messages(session, address)
        inquiries = _inquiries(session, address, contact)
        refs |= _references(session, {m.ticket_id for m in messages} | {i.ticket_id for i in inquiries if i.ticket_id})
        return {
            "email": address, "exported_at": iso(now),
            "contact": contact_view(contact, contact.organisation) if contact else None,
            "tickets": [_ticket(ticket, contact) for ticket in tickets],
            "messages": [_message(session, m, refs) for m in messages],
            "inquiries": [_inquiry(i, refs) for i in inquiries],
            "ticket_events": _ticket_events(session, address, refs),
            "directory_events": _directory_events(session, address),
            "survey_answers": _survey_answers(session, {ticket.id: ticket.reference for ticket in tickets}),
            "outbox": _outbox(session, address, refs),
            "autoreplies": [{"template": row.template, "sent_at": iso(row.sent_at), "ticket": refs.get(row.ticket_id)}
                            for row in session.execute(select(AutoreplyLog).where(AutoreplyLog.recipient == address)
                                                       .order_by(AutoreplyLog.id)).scalars()],
            "raw_mails": _raw_mails(session, address, messages, inquiries),
        }


def _their_tickets(session: Session, address: str, contact: Contact | None) -> list[Ticket]:
    participant = select(TicketParticipant.ticket_id).where(func.lower(TicketParticipant.email) == address)
    where = Ticket.id.in_(participant)
    if contact is not None:
        where = or_(where, Ticket.contact_id == contact.id)
    return list(session.execute(select(Ticket).where(where).order_by(Ticket.id)).scalars())


def _references(session: Session, ticket_ids: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for part in chunks(ticket_ids):
        found |= dict(session.execute(select(Ticket.id, Ticket.reference).where(Ticket.id.in_(part))).all())
    return found


def _ticket(ticket: Ticket, contact: Contact | None) -> dict[str, Any]:
    return {"reference": ticket.reference, "subject": ticket.subject, "status": ticket.status, "line": ticket.line,
            "priority": ticket.priority, "category": ticket.category, "origin": ticket.origin,
            "language": ticket.language, "their_ticket": contact is not None and ticket.contact_id == contact.id,
            "created_at": iso(ticket.created_at), "closed_at": iso(ticket.closed_at)}


def _messages(session: Session, address: str) -> list[TicketMessage]:
    return list(session.execute(select(TicketMessage).where(func.lower(TicketMessage.author_email) == address)
                                .order_by(TicketMessage.id)).scalars())


def _message(session: Session, message: TicketMessage, refs: dict[int, str]) -> dict[str, Any]:
    files = session.execute(select(Attachment).where(Attachment.message_id == message.id)).scalars()
    return {"ticket": refs.get(message.ticket_id), "direction": message.direction, "channel": message.channel,
            "visibility": message.visibility, "message_id": message.message_id, "subject": message.subject,
            "text": message.text, "created_at": iso(message.created_at),
            "attachments": [{"filename": f.filename, "content_type": f.content_type, "size": f.size,
                             "sha256": f.sha256, "stored": f.stored} for f in files]}


def _inquiries(session: Session, address: str, contact: Contact | None) -> list[Inquiry]:
    where = func.lower(Inquiry.sender_email) == address
    if contact is not None:
        where = or_(where, Inquiry.contact_id == contact.id)
        if contact.slack_user_id:
            where = or_(where, Inquiry.slack_user_id == contact.slack_user_id)
    return list(session.execute(select(Inquiry).where(where).order_by(Inquiry.id)).scalars())


def _inquiry(inquiry: Inquiry, refs: dict[int, str]) -> dict[str, Any]:
    return {"kind": inquiry.kind, "channel": inquiry.channel, "status": inquiry.status, "subject": inquiry.subject,
            "text": inquiry.text, "sender_name": inquiry.sender_name, "created_at": iso(inquiry.created_at),
            "handled_at": iso(inquiry.handled_at), "ticket": refs.get(inquiry.ticket_id)}


def _ticket_events(session: Session, address: str, refs: dict[int, str]) -> list[dict[str, Any]]:
    rows = session.execute(select(TicketEvent, Ticket.reference).join(Ticket, Ticket.id == TicketEvent.ticket_id)
                           .where(naming(TicketEvent.data, address)).order_by(TicketEvent.id)).all()
    return [{"ticket": reference, "kind": event.kind, "actor": event.actor, "data": event.data,
             "created_at": iso(event.created_at)} for event, reference in rows if mentions(event.data, address)]


def _directory_events(session: Session, address: str) -> list[dict[str, Any]]:
    rows = session.execute(select(DirectoryEvent).where(DirectoryEvent.subject == f"contact:{address}")
                           .order_by(DirectoryEvent.occurred_at)).scalars()
    return [{"event_id": row.event_id, "type": row.type, "outcome": row.outcome,
             "occurred_at": iso(row.occurred_at), "received_at": iso(row.received_at)} for row in rows]


def _survey_answers(session: Session, refs: dict[int, str]) -> list[dict[str, Any]]:
    """Answers on their tickets (the survey goes to the ticket's contact and participants)."""
    answers = []
    for part in chunks(refs):
        answers += session.execute(select(SurveyResponse).where(SurveyResponse.ticket_id.in_(part))).scalars()
    return [{"ticket": refs[a.ticket_id], "rating": a.rating, "comment": a.comment, "channel": a.channel,
             "answered_at": iso(a.answered_at)} for a in sorted(answers, key=lambda a: a.id)]


def _outbox(session: Session, address: str, refs: dict[int, str]) -> list[dict[str, Any]]:
    rows = session.execute(select(OutboxRow).where(naming(OutboxRow.payload, address)).order_by(OutboxRow.id)).scalars()
    return [{"kind": row.kind, "state": row.state, "payload": row.payload, "ticket": refs.get(row.ticket_id),
             "created_at": iso(row.created_at), "sent_at": iso(row.sent_at)}
            for row in rows if mentions(row.payload, address)]


def _raw_mails(session: Session, address: str, messages: list[TicketMessage],
               inquiries: list[Inquiry]) -> list[dict[str, Any]]:
    ids = {m.raw_message_id for m in messages if m.raw_message_id} | \
        {i.raw_message_id for i in inquiries if i.raw_message_id}
    ids |= set(session.execute(select(RawMessage.id).where(func.lower(RawMessage.envelope_from) == address)).scalars())
    ids |= set(unlinked_raw_mail_from(session, address))
    found = []
    for part in chunks(ids):
        found += session.execute(select(RawMessage.id, RawMessage.message_id, RawMessage.source, RawMessage.state,
                                        RawMessage.size, RawMessage.reason, RawMessage.received_at,
                                        RawMessage.raw.is_not(None).label("kept"))
                                 .where(RawMessage.id.in_(part))).all()
    return [{"message_id": row.message_id, "source": row.source, "state": row.state, "size": row.size,
             "reason": row.reason, "bytes_kept": row.kept, "received_at": iso(row.received_at)}
            for row in sorted(found, key=lambda row: row.id)]
