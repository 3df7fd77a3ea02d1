"""Tickets as the command line lists and exports them: plain rows, one query, no ORM objects handed out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from storage.models import Agent, Contact, Organisation, SurveyResponse, Ticket, TicketMessage

EXPORT_BATCH = 500


@dataclass(frozen=True)
class TicketRow:
    reference: str
    subject: str
    status: str
    line: int
    priority: str
    category: str | None
    origin: str
    organisation_number: str | None
    organisation_name: str | None
    contact_email: str | None
    assignee_email: str | None
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ExportRow(TicketRow):
    messages_in: int = 0
    messages_out: int = 0
    survey_rating: int | None = None


_COLUMNS = (Ticket.reference, Ticket.subject, Ticket.status, Ticket.line, Ticket.priority, Ticket.category,
            Ticket.origin, Organisation.number, Organisation.name, Contact.email, Agent.email, Ticket.created_at,
            Ticket.updated_at, Ticket.first_response_due_at, Ticket.first_response_at, Ticket.closed_at)


def ticket_rows(*extra) -> Select:
    """The query behind TicketRow (organisation, contact and assignee joined), with ``extra`` columns after it."""
    return (select(*_COLUMNS, *extra).outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
            .outerjoin(Contact, Contact.id == Ticket.contact_id).outerjoin(Agent, Agent.id == Ticket.assignee_id))


def list_tickets(session: Session, *, statuses: Sequence[str] = (), organisation: str | None = None,
                 assignee: str | None = None, limit: int | None = None) -> list[TicketRow]:
    """Tickets matching every filter given, newest first (``assignee`` by e-mail, any case)."""
    query = ticket_rows().order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
    if statuses:
        query = query.where(Ticket.status.in_(statuses))
    if organisation is not None:
        query = query.where(Organisation.number == organisation)
    if assignee is not None:
        query = query.where(func.lower(Agent.email) == assignee.strip().lower())
    return [TicketRow(*row) for row in session.execute(query)]


def unknown_filters(session: Session, organisation: str | None, assignee: str | None) -> list[str]:
    """What a filter names that does not exist (a typo would otherwise read as "no tickets")."""
    unknown = []
    if organisation is not None and session.execute(
            select(Organisation.id).where(Organisation.number == organisation)).first() is None:
        unknown.append(f"no organisation with customer number {organisation!r}")
    if assignee is not None and session.execute(
            select(Agent.id).where(func.lower(Agent.email) == assignee.strip().lower())).first() is None:
        unknown.append(f"no agent with the e-mail address {assignee!r}")
    return unknown


def tickets_created(session: Session, start: datetime, end: datetime) -> Iterator[ExportRow]:
    """Tickets created in [start, end), oldest first, with message counts and the survey rating; streamed."""
    inbound, outbound = aliased(TicketMessage), aliased(TicketMessage)
    counted = (
        select(func.count(inbound.id)).where(inbound.ticket_id == Ticket.id, inbound.direction == "inbound")
        .scalar_subquery(),
        select(func.count(outbound.id)).where(outbound.ticket_id == Ticket.id, outbound.direction == "outbound")
        .scalar_subquery(),
        select(SurveyResponse.rating).where(SurveyResponse.ticket_id == Ticket.id).scalar_subquery(),
    )
    query = (ticket_rows(*counted).where(Ticket.created_at >= start, Ticket.created_at < end)
             .order_by(Ticket.created_at, Ticket.id).execution_options(yield_per=EXPORT_BATCH))
    for row in session.execute(query):
        yield ExportRow(*row)
