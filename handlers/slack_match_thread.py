"""slack-match-thread: a reply in the thread of a ticket's customer message belongs to that ticket.

A ticket that came from a customer channel keeps where it started
(``customer_channel``, ``customer_thread_ts``); Slack gives every thread reply
the root's ts as ``thread_ts``. Only a registered contact of the channel's
organisation, or someone the ticket lists as a participant (an unknown sender
whose message staff opened anyway), adds to it; anyone else's reply goes on
as a message of an unknown sender. As for mail, a reply long after closing
(``lifecycle.reopen_days``) is a new case rather than a reopening.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.closure import reply_reopens
from bot.domain.tickets import Status
from handlers.base import PipelineContext
from storage.models import Ticket
from storage.repositories import tickets

NAME = "slack-match-thread"


def handle(ctx: PipelineContext) -> None:
    """Set ``ctx.ticket`` for a thread reply under a ticket's customer message."""
    message = ctx.message
    if not message.slack_thread_ts or message.slack_thread_ts == message.slack_ts:
        return
    ticket = ctx.session.execute(
        select(Ticket).where(Ticket.customer_channel == message.slack_channel,
                             Ticket.customer_thread_ts == message.slack_thread_ts)
        .order_by(Ticket.id.desc()).limit(1)
    ).scalar_one_or_none()
    if ticket is None:
        return
    member = ctx.contact is not None and ctx.contact.authorised
    if not member and not tickets.is_participant(ctx.session, ticket, message.sender_email):
        ctx.decide(f"reply in the thread of {ticket.reference} from {message.sender_email}, who may not add to it")
        return
    if ticket.status == Status.CLOSED and not reply_reopens(ticket.closed_at, ctx.now, ctx.settings.lifecycle.reopen_days):
        ctx.decide(f"{ticket.reference} closed more than {ctx.settings.lifecycle.reopen_days} days ago: a new case")
        return
    ctx.ticket, ctx.match = ticket, "slack-thread"
    ctx.decide(f"matched {ticket.reference} by its Slack thread")
