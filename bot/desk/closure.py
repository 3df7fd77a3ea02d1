"""The customer asks to close a ticket: by reply (handlers/request_closure.py) or with the signed link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.tickets import Status
from storage.models import Ticket, TicketEvent
from storage.repositories import events, slack_queue, tickets

HOW = {"reply": "by reply", "link": "with the link in our mail"}


def request_closure(session: Session, settings, ticket: Ticket, now: datetime, *, via: str, phrase: str = "") -> bool:
    """The customer asks to close ``ticket``: closure_requested, an event, an audit line; False if nothing changed.

    Closed tickets stay closed. A ticket already awaiting closure records the
    customer's confirmation once per request (the agent's one click, or
    auto-close, still closes it).
    """
    if ticket.status == Status.CLOSED:
        return False
    if ticket.status == Status.CLOSURE_REQUESTED:
        if not _confirmed_since(session, ticket, ticket.closure_requested_at):
            events.record_event(session, ticket, "closure_confirmed", now, actor="customer", via=via)
            _tell_staff(session, settings, ticket, now, f"customer confirmed that the case can be closed ({HOW[via]})")
        return False
    old, ticket.status, ticket.closure_requested_at = ticket.status, Status.CLOSURE_REQUESTED, now
    events.record_event(session, ticket, "status_changed", now, actor="customer", old=old, new=Status.CLOSURE_REQUESTED,
                        reason=f"customer asked to close ({via})", **({"phrase": phrase} if phrase else {}))
    tickets.touch(ticket, now)
    _tell_staff(session, settings, ticket, now, f"customer asked to close the case ({HOW[via]})")
    return True


def _confirmed_since(session: Session, ticket: Ticket, since: datetime | None) -> bool:
    query = select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "closure_confirmed")
    if since is not None:
        query = query.where(TicketEvent.created_at >= since)
    return session.execute(query.limit(1)).first() is not None


def _tell_staff(session: Session, settings, ticket: Ticket, now: datetime, text: str) -> None:
    if settings.slack.enabled:
        slack_queue.queue_card(session, ticket, now)
        slack_queue.queue_audit(session, ticket, now, text, icon="🙏")
