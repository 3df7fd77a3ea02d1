"""IMAP cursors: (UIDVALIDITY, last UID) per mailbox, committed with the mail they cover."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import ImapCursor


def load(session: Session, mailbox: str) -> ImapCursor | None:
    """The cursor of ``mailbox`` (``user@host/folder``), if any."""
    return session.get(ImapCursor, mailbox)


def save(session: Session, mailbox: str, uidvalidity: int, last_uid: int, now: datetime) -> None:
    """Move the cursor; never backwards within one UIDVALIDITY."""
    cursor = session.get(ImapCursor, mailbox, with_for_update=True)
    if cursor is None:
        session.add(ImapCursor(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=last_uid, updated_at=now))
        return
    if cursor.uidvalidity != uidvalidity:
        cursor.uidvalidity, cursor.last_uid = uidvalidity, last_uid
    else:
        cursor.last_uid = max(cursor.last_uid, last_uid)
    cursor.updated_at = now
