"""Read models of the directory for `org list|show` and `contact list|show`: plain dicts, ready for JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session

from storage.models import Contact, Organisation, Ticket


def iso(at: datetime | None) -> str | None:
    """An aware instant as ISO 8601 (UTC), or None."""
    return at.isoformat(timespec="seconds") if at is not None else None


def contact_view(contact: Contact, organisation: Organisation | None) -> dict[str, Any]:
    """Everything the contacts table holds about one person."""
    return {
        "email": contact.email, "name": contact.name,
        "organisation": {"customer_number": organisation.number, "name": organisation.name} if organisation else None,
        "role": contact.role, "language": contact.language, "authorised": contact.authorised,
        "phone": contact.phone, "services": list(contact.services or []), "slack_user_id": contact.slack_user_id,
        "bounced_at": iso(contact.bounced_at), "created_at": iso(contact.created_at),
    }


def organisation_view(organisation: Organisation, contacts: int, authorised: int) -> dict[str, Any]:
    return {"customer_number": organisation.number, "name": organisation.name, "contacts": contacts,
            "authorised": authorised, "created_at": iso(organisation.created_at)}


def list_organisations(session: Session) -> list[dict[str, Any]]:
    """Every organisation by customer number, with its number of contacts and of authorised ones."""
    counts = (select(Contact.organisation_id, func.count().label("total"),
                     func.sum(func.cast(Contact.authorised, Integer)).label("authorised"))
              .group_by(Contact.organisation_id).subquery())
    rows = session.execute(select(Organisation, counts.c.total, counts.c.authorised)
                           .outerjoin(counts, counts.c.organisation_id == Organisation.id)
                           .order_by(Organisation.number)).all()
    return [organisation_view(org, total or 0, authorised or 0) for org, total, authorised in rows]


def list_contacts(session: Session, organisation_id: int | None = None) -> list[dict[str, Any]]:
    """Contacts by organisation and e-mail, of one organisation or all."""
    query = select(Contact, Organisation).join(Organisation, Organisation.id == Contact.organisation_id) \
        .order_by(Organisation.number, Contact.email)
    if organisation_id is not None:
        query = query.where(Contact.organisation_id == organisation_id)
    return [contact_view(contact, organisation) for contact, organisation in session.execute(query).all()]


def ticket_counts(session: Session, **where: int) -> dict[str, int]:
    """Tickets by status for ``contact_id=`` or ``organisation_id=``."""
    column = getattr(Ticket, next(iter(where)))
    rows = session.execute(select(Ticket.status, func.count()).where(column == next(iter(where.values())))
                           .group_by(Ticket.status)).all()
    return {status: count for status, count in sorted(rows)}
