"""The autoreply log: at most one automatic answer per recipient per window, across restarts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.models import AutoreplyLog
from storage.repositories import preloaded
from storage.repositories.upsert import insert_ignoring_conflict

_TABLE = AutoreplyLog.__table__
# Built once: this runs for every mail that might get an automatic answer.
_RECENT = select(_TABLE.c.id).where(
    _TABLE.c.recipient == bindparam("recipient"), _TABLE.c.sent_at > bindparam("since", type_=_TABLE.c.sent_at.type)
).limit(1)


_LAST_SENT = select(_TABLE.c.recipient, func.max(_TABLE.c.sent_at)) \
    .where(_TABLE.c.recipient.in_(bindparam("recipients", expanding=True))).group_by(_TABLE.c.recipient)
_PRELOADED = "last_autoreply"  # in storage/repositories/preloaded.py: recipient → last answer or None


def recently_answered(session: Session, recipient: str, now: datetime, window: timedelta) -> bool:
    """Whether ``recipient`` got an automatic answer within ``window`` before ``now``."""
    recipient = recipient.lower()
    known = preloaded.get(session, _PRELOADED)
    if known is not None and recipient in known:
        last = known[recipient]
        return last is not None and last > now - window
    # Core on the session's connection: the log is written only by record() below, also Core.
    return session.connection().execute(_RECENT, {"recipient": recipient, "since": now - window}).first() \
        is not None


def record(session: Session, recipient: str, template: str, now: datetime, ticket_id: int | None = None) -> None:
    """Log one automatic answer."""
    recipient = recipient.lower()
    insert_ignoring_conflict(session, AutoreplyLog, {"recipient": recipient, "template": template,
                                                     "ticket_id": ticket_id, "sent_at": now})
    known = preloaded.get(session, _PRELOADED)
    if known is not None:
        known[recipient] = now


def preload(session: Session, recipients: Iterable[str]) -> None:
    """Each recipient's last automatic answer in one query, for a batch; ``preloaded.forget`` drops it.

    Exact for any window: the latest answer decides, and record() keeps it current.
    """
    wanted = sorted({recipient.lower() for recipient in recipients if recipient})
    found = dict(session.connection().execute(_LAST_SENT, {"recipients": wanted}).all()) if wanted else {}
    preloaded.put(session, _PRELOADED, {recipient: found.get(recipient) for recipient in wanted})
