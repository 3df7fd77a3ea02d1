"""The autoreply log: at most one automatic answer per recipient per window, across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.models import AutoreplyLog
from storage.repositories.upsert import insert_ignoring_conflict

_TABLE = AutoreplyLog.__table__
# Built once: this runs for every mail that might get an automatic answer.
_RECENT = select(_TABLE.c.id).where(
    _TABLE.c.recipient == bindparam("recipient"), _TABLE.c.sent_at > bindparam("since", type_=_TABLE.c.sent_at.type)
).limit(1)


def recently_answered(session: Session, recipient: str, now: datetime, window: timedelta) -> bool:
    """Whether ``recipient`` got an automatic answer within ``window`` before ``now``."""
    # Core on the session's connection: the log is written only by record() below, also Core.
    return session.connection().execute(_RECENT, {"recipient": recipient.lower(), "since": now - window}).first() \
        is not None


def record(session: Session, recipient: str, template: str, now: datetime, ticket_id: int | None = None) -> None:
    """Log one automatic answer."""
    insert_ignoring_conflict(session, AutoreplyLog, {"recipient": recipient.lower(), "template": template,
                                                     "ticket_id": ticket_id, "sent_at": now})
