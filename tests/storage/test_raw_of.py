"""Reading one stored mail back: the bytes as stored, None once purged or when missing (issue 21: SQLite
reads through incremental blob I/O, PostgreSQL in binary, so a big mail is not copied twice)."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from sqlalchemy import update

from storage.models import RawMessage
from storage.repositories import raw_messages


def test_raw_of_gives_the_bytes_as_stored_and_none_once_purged(session):
    now = datetime.now(timezone.utc)
    raw = b"Subject: x\r\n\r\n" + os.urandom(3 * 1024 * 1024)
    [raw_id] = raw_messages.store_many(session, [raw_messages.row(raw, "<raw-of@kund.se>", "smtp", now)])
    assert raw_messages.raw_of(session, raw_id) == raw
    session.execute(update(RawMessage).where(RawMessage.id == raw_id).values(raw=None))
    assert raw_messages.raw_of(session, raw_id) is None
    assert raw_messages.raw_of(session, raw_id + 1000) is None
