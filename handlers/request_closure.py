"""request-closure: a reply saying "you can close this" asks for closure; it does not reopen the work.

Runs after append-message. Only the fresh text counts (the stored message's
``stripped_text``: quoted history and signature removed), so a phrase quoted
from our own mail never closes anything. The ticket goes to
``closure_requested``; an agent confirms with the card's status menu, or
auto-close closes it after ``lifecycle.auto_close_business_days``.

``request_closure`` is also what the signed one-click link (POST /tickets/close) calls.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.closure import asks_to_close
from handlers.base import PipelineContext
from storage.models import Ticket, TicketEvent
from storage.repositories import events, slack_queue, tickets

NAME = "request-closure"

HOW = {"reply": "by reply", "link": "with the link in our mail"}


def handle(ctx: PipelineContext) -> None:
    """Move the ticket to closure_requested when the customer's fresh text asks for it."""
    if ctx.ticket is None or ctx.created_ticket or ctx.message is None:
        return
    if ctx.appended is not None:
        text = ctx.appended.stripped_text or ""
    elif ctx.dry_run:
        text = ctx.message.fresh_text()  # what append-message would have stored
    else:
        return
    phrase = asks_to_close(text, ctx.settings.lifecycle.closure_phrases)
    if phrase is None:
        return
    ctx.decide(f"{ctx.ticket.reference}: the customer asks to close it ({phrase!r})")
    if not ctx.dry_run:
        request_closure(ctx.session, ctx.settings, ctx.ticket, ctx.now, via="reply", phrase=phrase)


def request_closure(session: Session, settings, ticket: Ticket, now: datetime, *, via: str, phrase: str = "") -> bool:
    """The customer asks to close ``ticket``: closure_requested, an event, an audit line; False if nothing changed.

    Closed tickets stay closed. A ticket already awaiting closure records the
    customer's confirmation once per request (the agent's one click, or
    auto-close, still closes it).
    """
    if ticket.status == "closed":
        return False
    if ticket.status == "closure_requested":
        if not _confirmed_since(session, ticket, ticket.closure_requested_at):
            events.record_event(session, ticket, "closure_confirmed", now, actor="customer", via=via)
            _tell_staff(session, settings, ticket, now, f"customer confirmed that the case can be closed ({HOW[via]})")
        return False
    old, ticket.status, ticket.closure_requested_at = ticket.status, "closure_requested", now
    events.record_event(session, ticket, "status_changed", now, actor="customer", old=old, new="closure_requested",
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
