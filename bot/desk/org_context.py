"""Context at a glance for a card: the organisation's other open cases and the add-on services ordered.

An agent opening a case wants to know whether the customer has more going on
(two open cases about the same outage are one problem) and what they bought
(an ordered service changes who handles it). Read when the card is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.memory_listing import card_link
from storage.models import Contact, Ticket

RECENT = 2
SERVICE_NAMES = 10


@dataclass(frozen=True)
class OrgContext:
    others_open: int = 0
    others_recent: tuple[tuple[str, str], ...] = ()  # (reference, card link or "")
    services: tuple[str, ...] = ()


def org_context(session: Session, ticket: Ticket, contact: Contact | None) -> OrgContext:
    """The other open cases of ``ticket``'s organisation (count and the two most recent) and the contact's services."""
    services = tuple(str(s)[:100] for s in (contact.services or [])[:SERVICE_NAMES] if s) if contact else ()
    if ticket.organisation_id is None:
        return OrgContext(services=services)
    others = (Ticket.organisation_id == ticket.organisation_id) & (Ticket.id != ticket.id) & (Ticket.status != "closed")
    count = session.execute(select(func.count(Ticket.id)).where(others)).scalar_one()
    recent = session.execute(select(Ticket.reference, Ticket.slack_channel, Ticket.slack_card_ts).where(others)
                             .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(RECENT)).all() if count else []
    return OrgContext(count, tuple((row.reference, card_link(row.slack_channel, row.slack_card_ts)) for row in recent),
                      services)
