"""append-message: the message goes onto its ticket; a customer reply reopens the work."""

from __future__ import annotations

from bot.domain.tickets import REOPENED_BY_REPLY, Status
from handlers.base import PipelineContext
from storage.models import Attachment
from storage.repositories import events, messages, tickets

NAME = "append-message"

def handle(ctx: PipelineContext) -> None:
    """Store the message (text, quoted history trimmed, attachments) and update the ticket."""
    if ctx.ticket is None:
        return
    message, ticket = ctx.message, ctx.ticket
    fresh = message.fresh_text()
    ctx.decide(f"append to {ticket.reference} ({len(message.attachments)} attachment(s))")
    if ctx.dry_run:
        return
    stored, _created = messages.append_message(
        ctx.session, ticket, direction="inbound", channel=message.channel, visibility="customer",
        author_email=message.sender_email, author_name=message.sender_name[:255],
        message_id=message.message_id if message.channel == "email" else None,
        slack_key=message.message_id if message.channel == "slack" else None,
        in_reply_to=" ".join(message.in_reply_to)[:998] or None, references=" ".join(message.references) or None,
        subject=message.subject[:998], text=message.text, stripped_text=fresh, html=message.html,
        raw_message_id=message.raw_id, created_at=ctx.now,
    )
    ctx.appended = stored
    _store_attachments(ctx, stored)
    if ctx.created_ticket:
        return
    events.record_event(ctx.session, ticket, "customer_replied", ctx.now, actor="customer",
                        sender=message.sender_email, message=stored.id)
    new_status = REOPENED_BY_REPLY.get(ticket.status)
    if new_status:
        events.record_event(ctx.session, ticket, "status_changed", ctx.now, actor="customer",
                            old=ticket.status, new=new_status, reason="customer replied")
        ctx.decide(f"{ticket.reference}: {ticket.status} → {new_status}")
        if ticket.status == Status.CLOSED:
            ticket.closed_at = None
        ticket.status = new_status
    tickets.touch(ticket, ctx.now)


def _store_attachments(ctx: PipelineContext, stored) -> None:
    store = ctx.services.get("attachments")
    for data in ctx.message.attachments:
        kept = data.content is not None and store is not None
        if kept:
            store.put(data.sha256, data.content)
        ctx.session.add(Attachment(
            message_id=stored.id, filename=data.filename, content_type=data.content_type[:255], size=data.size,
            sha256=data.sha256, inline=data.inline, stored=kept, created_at=ctx.now,
        ))
