"""Creating and finding tickets."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.models import ReferenceCounter, Ticket, TicketMessage, TicketParticipant
from storage.repositories.upsert import insert_ignoring_conflict, insert_persistent



def new_reply_token() -> str:
    """An unguessable token for `support+<token>@domain`: 120 bits, lower-case base32.

    Lower case and no punctuation, because some mail systems fold the local part.
    """
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()


_COUNTERS = ReferenceCounter.__table__
# Built once (runs per new ticket); Core, as the counter is never an ORM object.
_BUMP = update(_COUNTERS).where(_COUNTERS.c.year == bindparam("desk_year")) \
    .values(last_value=_COUNTERS.c.last_value + 1).returning(_COUNTERS.c.last_value)


def next_reference(session: Session, prefix: str, year: int) -> str:
    """Issue the next reference for ``year``, e.g. ``TC-2026-00042``; gap-free per year."""
    # UPDATE … RETURNING takes the row lock on PostgreSQL (and SQLite has one
    # writer), so two concurrent tickets never get the same number. The year's
    # row is created by its first ticket (a racing creator's insert is ignored).
    value = session.connection().execute(_BUMP, {"desk_year": year}).scalar_one_or_none()
    if value is None:
        insert_ignoring_conflict(session, ReferenceCounter, {"year": year, "last_value": 0})
        value = session.connection().execute(_BUMP, {"desk_year": year}).scalar_one()
    return f"{prefix}-{year}-{value:05d}"


def create_ticket(
    session: Session,
    *,
    subject: str,
    origin: str,
    created_at: datetime,
    desk_zone: str,
    prefix: str = "TC",
    participants: tuple[str, ...] = (),
    **fields,
) -> Ticket:
    """Create a ticket with a fresh reference and reply token; participants may add to it.

    The year in the reference is the desk's local year (``desk_zone``, ``hours.timezone``): a mail at
    00:30 on New Year's Day in Stockholm belongs to the new year although UTC still says the old.
    """
    year = created_at.astimezone(ZoneInfo(desk_zone)).year
    ticket = insert_persistent(session, Ticket, {
        "reference": next_reference(session, prefix, year),
        "subject": subject[:998],
        "origin": origin,
        "reply_token": new_reply_token(),
        "created_at": created_at,
        "updated_at": created_at,
        **fields,
    })
    for email in participants:
        add_participant(session, ticket, email, created_at)
    return ticket


def add_participant(session: Session, ticket: Ticket, email: str, at: datetime) -> None:
    """Let ``email`` add to ``ticket`` (idempotent)."""
    insert_ignoring_conflict(
        session, TicketParticipant, {"ticket_id": ticket.id, "email": email.strip().lower(), "added_at": at}
    )


_PARTICIPANTS = TicketParticipant.__table__
# Built once (runs per reply); Core on the session's connection, as participants
# are only written through Core inserts (add_participant) — and so no autoflush.
_IS_PARTICIPANT = select(_PARTICIPANTS.c.id).where(
    _PARTICIPANTS.c.ticket_id == bindparam("ticket_id"), _PARTICIPANTS.c.email == bindparam("email"))


def is_participant(session: Session, ticket: Ticket, email: str) -> bool:
    """Whether ``email`` is a participant of ``ticket``."""
    parameters = {"ticket_id": ticket.id, "email": email.strip().lower()}
    return session.connection().execute(_IS_PARTICIPANT, parameters).first() is not None


def find_by_reference(session: Session, reference: str) -> Ticket | None:
    """The ticket with this public reference (case-insensitive)."""
    return session.execute(select(Ticket).where(Ticket.reference == reference.upper())).scalar_one_or_none()


def find_by_reply_token(session: Session, token: str) -> Ticket | None:
    """The ticket whose reply address carries ``token``."""
    return session.execute(select(Ticket).where(Ticket.reply_token == token.lower())).scalar_one_or_none()


_MESSAGES = TicketMessage.__table__
# Built once (runs per reply): which of these Message-IDs are on which ticket.
_TICKETS_OF_MESSAGES = select(_MESSAGES.c.message_id, _MESSAGES.c.ticket_id) \
    .where(_MESSAGES.c.message_id.in_(bindparam("message_ids", expanding=True)))


def find_by_message_id(session: Session, *message_ids: str) -> Ticket | None:
    """The ticket holding a message (ours or theirs) with one of these Message-IDs, the first found in order.

    One query for all of a reply's In-Reply-To and References. Core on the
    session's connection: ticket messages are only written through Core inserts.
    """
    if not message_ids:
        return None
    rows = session.connection().execute(_TICKETS_OF_MESSAGES, {"message_ids": list(dict.fromkeys(message_ids))})
    ticket_of = dict(rows.all())
    ticket_id = next((ticket_of[message_id] for message_id in message_ids if message_id in ticket_of), None)
    if ticket_id is None:
        return None
    # No autoflush: a ticket with unflushed changes is in the identity map, and
    # get() returns it from there without SQL; one that is not has nothing pending
    # (new tickets are inserted through Core). The flush would only come early.
    with session.no_autoflush:
        return session.get(Ticket, ticket_id)


def touch(ticket: Ticket, at: datetime) -> None:
    """Record a change: bump the revision that stale-click detection compares."""
    ticket.revision += 1
    ticket.updated_at = at


def find_by_portal_case(session: Session, case_id: str) -> Ticket | None:
    """The ticket opened for the portal's case ``case_id``."""
    return session.execute(select(Ticket).where(Ticket.portal_case_id == case_id)).scalar_one_or_none()
