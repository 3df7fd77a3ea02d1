"""Auto-close: a case awaiting closure closes after ``lifecycle.auto_close_business_days`` business days.

A periodic job (the service runs it hourly). Each ticket closes in its own
transaction with everything closing means: the event, the customer's
``status_closed`` mail, the survey invitation, the card and an audit line. The
closing instant is computed from the request (see ``auto_close_at``), so a late
or repeated run closes exactly the same tickets once; a reply that reopened
the ticket meanwhile takes it out of ``closure_requested`` and so out of reach.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.closure import auto_close_at
from bot.desk.customer_mail import mail_customer, recipient
from bot.desk.survey import invite
from bot.domain.tickets import Status
from storage.models import Ticket
from storage.repositories import events, slack_queue, tickets

log = logging.getLogger("supportbot.auto_close")


def auto_close(session_factory: sessionmaker[Session], settings, calendar, now: datetime) -> list[str]:
    """Close every ticket whose closure request has waited long enough; return their references."""
    days = settings.lifecycle.auto_close_business_days
    if days <= 0:
        return []
    with session_factory() as session:
        waiting = session.execute(
            select(Ticket.id, Ticket.closure_requested_at)
            .where(Ticket.status == Status.CLOSURE_REQUESTED, Ticket.closure_requested_at.is_not(None))
            .order_by(Ticket.id)
        ).all()
    due = [ticket_id for ticket_id, requested_at in waiting if auto_close_at(requested_at, days, calendar) <= now]
    closed = [reference for ticket_id in due
              if (reference := _close(session_factory, settings, calendar, ticket_id, now))]
    if closed:
        log.info("auto-closed %d ticket(s): %s", len(closed), ", ".join(closed))
    return closed


def _close(session_factory: sessionmaker[Session], settings, calendar, ticket_id: int, now: datetime) -> str | None:
    days = settings.lifecycle.auto_close_business_days
    with session_factory() as session:
        ticket = session.get(Ticket, ticket_id, with_for_update=True)
        # Checked again under the row lock: the customer may have replied since the query.
        if ticket is None or ticket.status != Status.CLOSURE_REQUESTED or ticket.closure_requested_at is None \
                or auto_close_at(ticket.closure_requested_at, days, calendar) > now:
            return None
        ticket.status, ticket.closed_at, ticket.sla_next_check_at = "closed", now, None
        events.record_event(session, ticket, "status_changed", now, old=Status.CLOSURE_REQUESTED, new=Status.CLOSED,
                            reason=f"auto-closed after {days} business days")
        _mail_closed(session, settings, ticket, now)
        invite(session, settings, ticket, now)
        tickets.touch(ticket, now)
        if settings.slack.enabled:
            slack_queue.queue_card(session, ticket, now)
            slack_queue.queue_audit(session, ticket, now, f"closed automatically after {days} business days",
                                    icon="🔒")
        session.commit()
        return ticket.reference


def _mail_closed(session: Session, settings, ticket: Ticket, now: datetime) -> None:
    to = recipient(session, ticket)
    if to is None:
        return
    mail_customer(session, settings, now, "status_closed", to, ticket=ticket)
