"""The SELECTs behind every report: `supportbot report`, `sla report`, `survey report`, the weekly post.

One function per question, each one query over an instant range (aware
datetimes, end exclusive), so the CLI tables and the charts cannot drift
apart: they read the same rows. Nothing here does arithmetic beyond the query.
The rows are read through the session's connection, not the ORM: they are plain
columns, and a year's report reads 250,000 of them (the ORM's row loading cost
a second of it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from storage.models import Inquiry, Organisation, SurveyResponse, Ticket, TicketEvent


@dataclass(frozen=True, slots=True)
class TicketRow:
    """What the reports need of a ticket; a ``TicketTimes`` of bot/domain/sla/report.py."""

    line: int
    priority: str
    origin: str
    organisation_id: int | None
    created_at: datetime
    due_at: datetime | None
    responded_at: datetime | None
    id: int = 0
    closed_at: datetime | None = None  # as it stands now (the backlog's span)


def tickets(session: Session, start: datetime, end: datetime) -> list[TicketRow]:
    """Tickets registered from ``start`` up to ``end``, oldest first."""
    query = (select(Ticket.line, Ticket.priority, Ticket.origin, Ticket.organisation_id, Ticket.created_at,
                    Ticket.first_response_due_at, Ticket.first_response_at, Ticket.id, Ticket.closed_at)
             .where(Ticket.created_at >= start, Ticket.created_at < end).order_by(Ticket.created_at, Ticket.id))
    return [TicketRow(*row) for row in _rows(session, query)]


def survey_answers(session: Session, start: datetime | None, end: datetime | None):
    """Survey answers given from ``start`` up to ``end`` (either may be None: unbounded), oldest first:
    rows of ``answered_at``, ``line``, ``rating``, ``comment``."""
    query = select(SurveyResponse.answered_at, SurveyResponse.line, SurveyResponse.rating, SurveyResponse.comment)
    if start is not None:
        query = query.where(SurveyResponse.answered_at >= start)
    if end is not None:
        query = query.where(SurveyResponse.answered_at < end)
    return _rows(session, query.order_by(SurveyResponse.answered_at, SurveyResponse.id)).all()


class ClosedRow(NamedTuple):
    closed_at: datetime
    answered: bool


def closed_tickets(session: Session, start: datetime, end: datetime, spans=None):
    """Tickets closed (as they stand now) from ``start`` up to ``end``: rows of ``closed_at`` and
    ``answered`` (whether their customer answered the survey). With ``spans`` (:func:`open_spans` of the
    same range, which holds every ticket closed in it) only the ids of the answered ones are read."""
    if spans is not None:
        answered = set(_rows(session, select(SurveyResponse.ticket_id).join(Ticket, Ticket.id == SurveyResponse.ticket_id)
                             .where(Ticket.closed_at >= start, Ticket.closed_at < end)).scalars())
        return [ClosedRow(closed_at, ticket_id in answered) for ticket_id, _, closed_at in spans
                if closed_at is not None and start <= closed_at < end]
    query = (select(Ticket.closed_at, SurveyResponse.id.is_not(None).label("answered"))
             .outerjoin(SurveyResponse, SurveyResponse.ticket_id == Ticket.id)
             .where(Ticket.closed_at >= start, Ticket.closed_at < end))
    return _rows(session, query).all()


def _rows(session: Session, query):
    return session.connection().execute(query)


def _open_in(start: datetime, end: datetime):
    # Open at some instant of [start, end): registered before the end and not closed (for
    # good) before the start. A reopened ticket has closed_at NULL or its later closing.
    return and_(Ticket.created_at < end, or_(Ticket.closed_at.is_(None), Ticket.closed_at >= start))


def open_spans(session: Session, start: datetime, end: datetime, window: list[TicketRow] | None = None):
    """Tickets that may have been open at some time from ``start`` up to ``end``: rows of ``id``,
    ``created_at``, ``closed_at``. With ``window`` (:func:`tickets` of the same range) only the older
    ones are read; the window's are taken from it (a year's report would read 50,000 tickets twice)."""
    if window is None:
        return _rows(session, select(Ticket.id, Ticket.created_at, Ticket.closed_at).where(_open_in(start, end))).all()
    older = select(Ticket.id, Ticket.created_at, Ticket.closed_at).where(_open_in(start, start))
    return [(t.id, t.created_at, t.closed_at) for t in window] + [tuple(row) for row in _rows(session, older)]


def closing_events(session: Session, start: datetime, end: datetime):
    """Every closing and reopening ever recorded on the tickets of :func:`open_spans`: rows of
    ``ticket_id``, ``created_at``, ``old``, ``new`` (statuses), in the order they happened."""
    old, new = TicketEvent.data["old"].as_string(), TicketEvent.data["new"].as_string()
    query = (select(TicketEvent.ticket_id, TicketEvent.created_at, old.label("old"), new.label("new"))
             .join(Ticket, Ticket.id == TicketEvent.ticket_id)
             .where(TicketEvent.kind == "status_changed", or_(old == "closed", new == "closed"), _open_in(start, end))
             .order_by(TicketEvent.created_at, TicketEvent.id))
    return _rows(session, query).all()


def new_case_inquiries(session: Session, start: datetime, end: datetime):
    """New cases answered with the portal link from ``start`` up to ``end``: rows of ``created_at``,
    ``channel``, ``contact_id``, ``ticket_id`` (set when staff opened it as a ticket anyway)."""
    query = (select(Inquiry.created_at, Inquiry.channel, Inquiry.contact_id, Inquiry.ticket_id)
             .where(Inquiry.kind == "new_case", Inquiry.created_at >= start, Inquiry.created_at < end)
             .order_by(Inquiry.created_at, Inquiry.id))
    return _rows(session, query).all()


def portal_registrations(session: Session, start: datetime, end: datetime):
    """Tickets registered in the portal by a known contact from ``start`` up to ``end``: rows of
    ``contact_id``, ``created_at``."""
    query = (select(Ticket.contact_id, Ticket.created_at)
             .where(Ticket.origin == "portal", Ticket.contact_id.is_not(None), Ticket.created_at >= start,
                    Ticket.created_at < end))
    return _rows(session, query).all()


def organisation_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names of these organisations by id."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    return dict(_rows(session, select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def first_responses(session: Session, start: datetime | None, end: datetime | None):
    """Registration and first response of the tickets first answered from ``start`` up to ``end`` (either may be
    None: unbounded): rows of ``created_at``, ``first_response_at``."""
    query = select(Ticket.created_at, Ticket.first_response_at).where(Ticket.first_response_at.is_not(None))
    if start is not None:
        query = query.where(Ticket.first_response_at >= start)
    if end is not None:
        query = query.where(Ticket.first_response_at < end)
    return _rows(session, query).all()
