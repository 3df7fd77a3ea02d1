"""The outbox: enqueue in the caller's transaction; workers claim, deliver, settle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, not_, or_, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxRow
from storage.repositories.outbox_keys import fit_key
from storage.repositories.upsert import insert_ignoring_conflict


def enqueue(
    session: Session,
    kind: str,
    idempotency_key: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    ticket_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a delivery in the caller's transaction; the same key twice queues it once.

    Returns True when this call created the row. A key too long or not plain
    ASCII is stored in its fitted form (storage/repositories/outbox_keys.py).
    """
    values = {
        "kind": kind,
        "idempotency_key": fit_key(idempotency_key),
        "payload": payload,
        "ticket_id": ticket_id,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": not_before or now,
        "created_at": now,
    }
    return insert_ignoring_conflict(session, OutboxRow, values) is not None


def claim_due(
    session: Session, now: datetime, worker: str, *, limit: int = 20, lease: timedelta = timedelta(seconds=30),
    kinds: tuple[str, ...] | None = None, held: ColumnElement[bool] | None = None,
) -> list[OutboxRow]:
    """Claim up to ``limit`` due rows for ``worker`` and return them, oldest first.

    A row is due when pending and its next attempt has come, or when a claim
    expired (its worker died mid-delivery), unless ``held`` matches it (it waits
    for another delivery, e.g. a thread post for its card). One UPDATE … WHERE id IN (SELECT …
    FOR UPDATE SKIP LOCKED) … RETURNING statement: on PostgreSQL concurrent
    workers skip each other's rows instead of waiting or double-claiming; on
    SQLite the single writer gives the same guarantee. The caller commits.
    """
    due = or_(
        (OutboxRow.state == "pending") & (OutboxRow.next_attempt_at <= now),
        (OutboxRow.state == "sending") & (OutboxRow.claimed_until < now),
    )
    candidates = select(OutboxRow.id).where(due).order_by(OutboxRow.next_attempt_at, OutboxRow.id).limit(limit)
    if kinds:
        candidates = candidates.where(OutboxRow.kind.in_(kinds))
    if held is not None:
        candidates = candidates.where(not_(held))
    candidates = candidates.with_for_update(skip_locked=True)
    claimed = session.execute(
        update(OutboxRow)
        .where(OutboxRow.id.in_(candidates.scalar_subquery()))
        .values(state="sending", claimed_by=worker, claimed_until=now + lease, attempts=OutboxRow.attempts + 1)
        .returning(OutboxRow)
        # populate_existing: a row already in this session's identity map
        # must show the claim just made, not its stale state.
        .execution_options(synchronize_session=False, populate_existing=True)
    ).scalars().all()
    return sorted(claimed, key=lambda row: (row.next_attempt_at, row.id))


def renew_claims(session: Session, row_ids: list[int], worker: str, until: datetime) -> int:
    """Extend ``worker``'s claims on these rows to ``until`` (those it still holds); how many it renewed."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id.in_(row_ids), OutboxRow.state == "sending", OutboxRow.claimed_by == worker)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount


def claimed_elsewhere(session: Session, row_ids: list[int], worker: str) -> list[int]:
    """Which of these rows another worker has claimed since (``worker``'s claim lapsed)."""
    query = select(OutboxRow.id).where(OutboxRow.id.in_(row_ids), OutboxRow.state == "sending",
                                       OutboxRow.claimed_by != worker).order_by(OutboxRow.id)
    return list(session.execute(query).scalars())


def mark_sent(session: Session, row_id: int, worker: str, now: datetime, result: dict[str, Any] | None = None) -> bool:
    """Settle a delivered row; False when the claim was lost to another worker meanwhile."""
    return _settle(session, row_id, worker, state="sent", sent_at=now, result=result, claimed_until=None)


def mark_retry(session: Session, row_id: int, worker: str, next_attempt_at: datetime, error: str) -> bool:
    """Put a row back for another attempt at ``next_attempt_at``."""
    return _settle(
        session, row_id, worker, state="pending", next_attempt_at=next_attempt_at, last_error=error[:2000],
        claimed_by=None, claimed_until=None,
    )


def mark_failed(session: Session, row_id: int, worker: str, error: str) -> bool:
    """Give up on a row (permanent error or retry horizon passed)."""
    return _settle(session, row_id, worker, state="failed", last_error=error[:2000], claimed_until=None)


def _settle(session: Session, row_id: int, worker: str, **values: Any) -> bool:
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.state == "sending", OutboxRow.claimed_by == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def retry_now(session: Session, row_id: int, now: datetime) -> bool:
    """Operator action: make a failed or waiting row due again (`supportbot outbox retry`)."""
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.state.in_(("failed", "pending")))
        .values(state="pending", next_attempt_at=now, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def depth(session: Session) -> tuple[int, datetime | None]:
    """Rows not yet delivered and the creation time of the oldest (for /metrics)."""
    from sqlalchemy import func

    count, oldest = session.execute(
        select(func.count(OutboxRow.id), func.min(OutboxRow.created_at)).where(
            OutboxRow.state.in_(("pending", "sending"))
        )
    ).one()
    return count, oldest
