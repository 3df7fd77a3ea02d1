"""The edges' one write: commit raw mail (and the IMAP cursor) before acknowledging it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.mail.message_key import message_key
from storage.repositories import cursors, raw_messages


@dataclass(frozen=True)
class FetchedMail:
    """One mail as an edge received it."""

    raw: bytes
    uid: int | None = None
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()


def store_batch(
    session_factory: sessionmaker[Session],
    mails: Iterable[FetchedMail],
    source: str,
    now: datetime,
    *,
    mailbox: str | None = None,
    cursor: tuple[int, int] | None = None,
) -> list[int]:
    """Store mails (a duplicate Message-ID stores nothing) and move the cursor, in one commit.

    Returns the ids of newly stored mail. One transaction per batch keeps a
    200-mail FETCH to one fsync, and the cursor can never run ahead of the mail.
    """
    rows = [raw_messages.row(mail.raw, message_key(mail.raw), source, now, mailbox=mailbox, uid=mail.uid,
                             envelope_from=mail.envelope_from, envelope_to=list(mail.envelope_to)) for mail in mails]
    with session_factory() as session:
        new_ids = raw_messages.store_many(session, rows)
        if cursor is not None:
            cursors.save(session, mailbox, cursor[0], cursor[1], now)
        session.commit()
    return new_ids
