"""Opening a ticket: reference, participants, the first-response SLA clock, the event.

Not a pipeline step: used by apply-portal-rule (policy "ticket", portal
notification mails) and by staff actions and the portal webhook. Every path
gets the same routing suggestion (bot/domain/routing.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.domain.routing import suggest
from bot.domain.tickets import Status
from bot.domain.sla.promise import first_response_budget as budget_of
from storage.models import Contact, Ticket
from storage.repositories import events, tickets


def first_response_budget(settings: Settings, priority: str, line: int) -> int:
    """Business minutes to first response: per priority, else per line, else the default."""
    sla = settings.sla
    return budget_of(sla.first_response_minutes, sla.per_priority, sla.per_line, priority, line)


def open_ticket(
    session: Session,
    settings: Settings,
    calendar,
    now: datetime,
    *,
    subject: str,
    origin: str,
    contact: Contact | None,
    language: str,
    participants: tuple[str, ...],
    priority: str = "normal",
    text: str = "",
    portal_category: str = "",
    **fields,
) -> Ticket:
    """Create a ticket whose first-response clock starts now (it only runs while the desk is open).

    ``text`` (the first message) and ``portal_category`` feed the routing suggestion with the subject.
    """
    rules = settings.routing.rule
    # The organisation costs a query; only load it when a rule asks for one.
    organisation = contact.organisation.number if contact and any(r.organisation for r in rules) else None
    suggestion = suggest(rules, f"{subject}\n{text}", organisation=organisation,
                         portal_category=portal_category)
    fields.setdefault("suggested_line", suggestion.line)
    fields.setdefault("suggested_category", suggestion.category)
    budget = first_response_budget(settings, priority, fields.get("line", 1))
    due = calendar.add_business_minutes(now, budget)
    warn = calendar.add_business_minutes(now, budget * settings.sla.warning_fraction)
    ticket = tickets.create_ticket(
        session, subject=subject or "(utan ämne)", origin=origin, created_at=now,
        prefix=settings.desk.reference_prefix, desk_zone=settings.hours.timezone, participants=participants, status=Status.NEW, priority=priority,
        language=language, contact_id=contact.id if contact else None,
        organisation_id=contact.organisation_id if contact else None,
        first_response_due_at=due, first_response_warn_at=warn, sla_next_check_at=warn, **fields,
    )
    events.record_event(session, ticket, "created", now, origin=origin, due_at=due.isoformat())
    return ticket
