"""deduplicate: a message already on a ticket or an inquiry is not handled again."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from handlers.base import Discard, PipelineContext
from storage.models import Inquiry, TicketMessage
from storage.repositories import preloaded

NAME = "deduplicate"


_MESSAGES, _INQUIRIES = TicketMessage.__table__, Inquiry.__table__
# One statement per channel, built once (this runs for every message).
_SEEN = {
    column: select(_MESSAGES.c.id).where(_MESSAGES.c[column] == bindparam("key"))
    .union_all(select(_INQUIRIES.c.id).where(_INQUIRIES.c[column] == bindparam("key"))).limit(1)
    for column in ("message_id", "slack_key")
}


_SEEN_MANY = select(_MESSAGES.c.message_id).where(_MESSAGES.c.message_id.in_(bindparam("keys", expanding=True))) \
    .union_all(select(_INQUIRIES.c.message_id).where(_INQUIRIES.c.message_id.in_(bindparam("keys", expanding=True))))
_PRELOADED = "stored_message_ids"  # in storage/repositories/preloaded.py: Message-ID → already stored?


def handle(ctx: PipelineContext) -> None:
    """Discard a message whose Message-ID (or Slack key) is already stored."""
    column = "slack_key" if ctx.message.channel == "slack" else "message_id"
    key = ctx.message.message_id
    if _seen(ctx.session, column, key):
        raise Discard(f"duplicate of an already handled message {key}")


def _seen(session: Session, column: str, key: str) -> bool:
    known = preloaded.get(session, _PRELOADED)
    if column == "message_id" and known is not None and key in known:
        # Used once: a second look (nothing in a batch repeats a Message-ID, the
        # raw store sees to that) asks the database, which by then knows this mail.
        return known.pop(key)
    # Core on the session's connection: both tables are written only through
    # Core inserts (storage/repositories/upsert.py), so no unflushed ORM row can hide here.
    return session.connection().execute(_SEEN[column], {"key": key}).first() is not None


def preload(session: Session, message_ids: Iterable[str]) -> None:
    """Which of a batch's Message-IDs are already stored, in one query; ``preloaded.forget`` drops it."""
    wanted = sorted(set(message_ids))
    stored = set(session.connection().execute(_SEEN_MANY, {"keys": wanted}).scalars()) if wanted else set()
    preloaded.put(session, _PRELOADED, {key: key in stored for key in wanted})
