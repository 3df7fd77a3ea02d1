"""deduplicate: a message already on a ticket or an inquiry is not handled again."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from handlers.base import Discard, PipelineContext
from storage.models import Inquiry, TicketMessage

NAME = "deduplicate"


_MESSAGES, _INQUIRIES = TicketMessage.__table__, Inquiry.__table__
# One statement per channel, built once (this runs for every message).
_SEEN = {
    column: select(_MESSAGES.c.id).where(_MESSAGES.c[column] == bindparam("key"))
    .union_all(select(_INQUIRIES.c.id).where(_INQUIRIES.c[column] == bindparam("key"))).limit(1)
    for column in ("message_id", "slack_key")
}


def handle(ctx: PipelineContext) -> None:
    """Discard a message whose Message-ID (or Slack key) is already stored."""
    column = "slack_key" if ctx.message.channel == "slack" else "message_id"
    key = ctx.message.message_id
    # Core on the session's connection: both tables are written only through
    # Core inserts (storage/repositories/upsert.py), so no unflushed ORM row can hide here.
    if ctx.session.connection().execute(_SEEN[column], {"key": key}).first():
        raise Discard(f"duplicate of an already handled message {key}")
