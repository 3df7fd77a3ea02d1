"""Small reads the listeners need before they act: a ticket by id or by its card, as plain data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.stale_clicks import Seen
from storage.models import Contact, Ticket


@dataclass(frozen=True)
class TicketRef:
    """What a listener shows or checks about a ticket; the Desk re-reads everything it changes."""

    id: int
    revision: int
    reference: str
    subject: str
    status: str
    language: str  # the contact's, else the ticket's
    contact_first_name: str
    slack_channel: str | None
    seen: Seen  # the fields staff actions rest on, as read now: what a modal opened now carries
    answered_in_slack: bool = False  # came from a customer channel: replies go to its thread, not by mail

    @property
    def closed(self) -> bool:
        return self.status == "closed"


async def ticket_by_id(sessions: sessionmaker[Session], ticket_id: int) -> TicketRef | None:
    """The ticket with this id."""
    return await asyncio.to_thread(_read, sessions, select(Ticket).where(Ticket.id == ticket_id))


async def ticket_by_card(sessions: sessionmaker[Session], channel: str, ts: str) -> TicketRef | None:
    """The ticket whose card is the message ``ts`` in ``channel`` (a reaction's or a thread's parent)."""
    query = select(Ticket).where(Ticket.slack_channel == channel, Ticket.slack_card_ts == ts)
    return await asyncio.to_thread(_read, sessions, query)


def _read(sessions: sessionmaker[Session], query) -> TicketRef | None:
    with sessions() as session:
        ticket = session.execute(query).scalar_one_or_none()
        if ticket is None:
            return None
        contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
        first_name = (contact.name or "").split()[0] if contact and (contact.name or "").strip() else ""
        return TicketRef(
            id=ticket.id, revision=ticket.revision, reference=ticket.reference, subject=ticket.subject,
            status=ticket.status, language=contact.language if contact else ticket.language,
            contact_first_name=first_name, slack_channel=ticket.slack_channel,
            answered_in_slack=bool(ticket.customer_channel and ticket.customer_thread_ts), seen=Seen.of(ticket),
        )
