"""Raw inbound mail: stored before it is acknowledged, then processed or quarantined."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from storage.models import RawMessage
from storage.repositories.upsert import insert_many_ignoring_conflict


def store_many(session: Session, rows: list[dict]) -> list[int]:
    """Store several raw mails (``row()`` each) in one statement; the ids of those not stored before, in order."""
    return insert_many_ignoring_conflict(session, RawMessage, rows)


def row(raw: bytes, key: str, source: str, now: datetime, *, mailbox: str | None = None, uid: int | None = None,
        envelope_from: str | None = None, envelope_to: list[str] | None = None) -> dict:
    """The column values of one raw mail, for ``store_many``."""
    return {
        "source": source,
        "message_id": key,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "raw": raw,
        "mailbox": mailbox,
        "uid": uid,
        "envelope_from": envelope_from,
        "envelope_to": ", ".join(envelope_to) if envelope_to else None,
        "state": "received",
        "attempts": 0,
        "received_at": now,
    }


_TABLE = RawMessage.__table__
# Statements run once per mail, built once: constructing SQLAlchemy statement
# objects cost more than executing them. They run on the session's connection,
# not through Session.execute: no ORM object is involved, and the ORM layer
# added about half again to each statement's cost.
_TAKE = update(_TABLE).where(_TABLE.c.id == bindparam("raw_id"), _TABLE.c.state == "received") \
    .values(attempts=_TABLE.c.attempts + 1)
_TAKE_MANY = update(_TABLE).where(_TABLE.c.id.in_(bindparam("raw_ids", expanding=True)),
                                  _TABLE.c.state == "received") \
    .values(attempts=_TABLE.c.attempts + 1).returning(_TABLE.c.id)
_RAW_OF = select(_TABLE.c.raw).where(_TABLE.c.id == bindparam("raw_id"))
_FINISH = update(_TABLE).where(_TABLE.c.id == bindparam("raw_id")).values(
    state=bindparam("state"), processed_at=bindparam("processed_at", type_=_TABLE.c.processed_at.type),
    reason=bindparam("reason"), traceback=bindparam("traceback"))


def take_for_processing(session: Session, raw_id: int) -> bool:
    """Lock a received mail for processing in the caller's transaction; False if someone else has.

    The UPDATE takes the row lock: a second replica's UPDATE waits, then finds the
    state changed and matches nothing, so a mail is processed once.
    """
    return session.connection().execute(_TAKE, {"raw_id": raw_id}).rowcount == 1


def take_many(session: Session, raw_ids: list[int]) -> set[int]:
    """``take_for_processing`` for a batch in one statement; the ids taken."""
    if not raw_ids:
        return set()
    return set(session.connection().execute(_TAKE_MANY, {"raw_ids": raw_ids}).scalars())


def raw_of(session: Session, raw_id: int) -> bytes | None:
    """The stored bytes of one mail."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # In binary: psycopg reads bytea as hex text by default, twice the mail's
        # size, and decodes it into a third copy (a 35 MB mail took ~100 MB here).
        with connection.connection.driver_connection.cursor(binary=True) as cursor:
            cursor.execute("SELECT raw FROM raw_messages WHERE id = %s", (raw_id,))
            row = cursor.fetchone()
        return None if row is None or row[0] is None else bytes(row[0])
    if connection.dialect.name == "sqlite":
        # Incremental blob I/O reads straight into the result: a plain SELECT
        # has SQLite assemble the value first, then copies it (twice the mail).
        driver = connection.connection.driver_connection
        try:
            with driver.blobopen("raw_messages", "raw", raw_id, readonly=True) as blob:
                return blob.read()
        except sqlite3.OperationalError:  # no such row, or raw is NULL (purged): the plain way tells which
            pass
    return connection.execute(_RAW_OF, {"raw_id": raw_id}).scalar_one_or_none()


def pending_ids(session: Session, limit: int = 500, after_id: int = 0,
                stored_before: datetime | None = None) -> list[int]:
    """Ids of mail stored (before ``stored_before``, when given) but not yet processed, oldest first."""
    query = (
        select(RawMessage.id)
        .where(RawMessage.state == "received", RawMessage.id > after_id)
        .order_by(RawMessage.id)
        .limit(limit)
    )
    if stored_before is not None:
        query = query.where(RawMessage.received_at < stored_before)
    return list(session.execute(query).scalars())


def raw_bytes(session: Session, raw_ids: list[int], max_size: int | None = None) -> dict[int, bytes]:
    """The stored bytes of these mails (for parsing ahead of processing); only those of at most
    ``max_size`` bytes when given."""
    query = select(RawMessage.id, RawMessage.raw).where(RawMessage.id.in_(raw_ids), RawMessage.raw.is_not(None))
    if max_size is not None:
        query = query.where(RawMessage.size <= max_size)
    return {raw_id: raw for raw_id, raw in session.execute(query)}


def finish(session: Session, raw_id: int, state: str, now: datetime, reason: str | None = None,
           traceback: str | None = None) -> None:
    """Settle a mail as processed, dropped or quarantined (with the reason)."""
    session.connection().execute(_FINISH, {"raw_id": raw_id, "state": state, "processed_at": now, "reason": reason,
                              "traceback": traceback})


def finish_many(session: Session, settled: list[tuple[int, str, datetime, str | None]]) -> None:
    """``finish`` for a batch of (raw id, state, when, reason), in one executemany."""
    if settled:
        session.connection().execute(_FINISH, [
            {"raw_id": raw_id, "state": state, "processed_at": at, "reason": reason, "traceback": None}
            for raw_id, state, at, reason in settled
        ])


def by_state(session: Session, state: str, limit: int = 100) -> list[RawMessage]:
    """Mail in ``state``, newest first (for `supportbot mail quarantine list`)."""
    query = select(RawMessage).where(RawMessage.state == state).order_by(RawMessage.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def requeue(session: Session, raw_id: int) -> bool:
    """Put a quarantined mail back for processing (`supportbot mail quarantine retry`)."""
    return session.execute(
        update(RawMessage)
        .where(RawMessage.id == raw_id, RawMessage.state == "quarantined")
        .values(state="received", reason=None, traceback=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def drop(session: Session, raw_id: int, now: datetime) -> bool:
    """Give up on a quarantined mail, keeping the row as a record (`… quarantine drop`)."""
    return session.execute(
        update(RawMessage)
        .where(RawMessage.id == raw_id, RawMessage.state == "quarantined")
        .values(state="dropped", processed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
