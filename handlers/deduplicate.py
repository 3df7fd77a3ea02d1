"""deduplicate: a message already on a ticket or an inquiry is not handled again."""

from __future__ import annotations

from sqlalchemy import select

from handlers.base import Discard, PipelineContext
from storage.models import Inquiry, TicketMessage

NAME = "deduplicate"


def handle(ctx: PipelineContext) -> None:
    """Discard a message whose Message-ID (or Slack key) is already stored."""
    key = ctx.message.message_id
    column_message, column_inquiry = (
        (TicketMessage.slack_key, Inquiry.slack_key) if ctx.message.channel == "slack"
        else (TicketMessage.message_id, Inquiry.message_id)
    )
    seen = ctx.session.execute(select(column_message).where(column_message == key)).first() or (
        ctx.session.execute(select(column_inquiry).where(column_inquiry == key)).first()
    )
    if seen:
        raise Discard(f"duplicate of an already handled message {key}")
