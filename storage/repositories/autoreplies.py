"""The autoreply log: at most one automatic answer per recipient per window, across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AutoreplyLog


def recently_answered(session: Session, recipient: str, now: datetime, window: timedelta) -> bool:
    """Whether ``recipient`` got an automatic answer within ``window`` before ``now``."""
    query = select(AutoreplyLog.id).where(
        AutoreplyLog.recipient == recipient.lower(), AutoreplyLog.sent_at > now - window
    ).limit(1)
    return session.execute(query).first() is not None


def record(session: Session, recipient: str, template: str, now: datetime, ticket_id: int | None = None) -> None:
    """Log one automatic answer."""
    session.add(AutoreplyLog(recipient=recipient.lower(), template=template, ticket_id=ticket_id, sent_at=now))
