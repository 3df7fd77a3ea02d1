"""Inquiries: new cases pointed to the portal and unknown senders, kept for staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Inquiry
from storage.repositories.upsert import insert_ignoring_conflict


def create_inquiry(session: Session, *, kind: str, channel: str, created_at: datetime, **fields) -> int | None:
    """Record an inquiry (status waiting) in the caller's transaction; its id, None if already recorded."""
    values = {"kind": kind, "channel": channel, "status": "waiting", "created_at": created_at, **fields}
    return insert_ignoring_conflict(session, Inquiry, values)


def waiting(session: Session, limit: int = 50) -> list[Inquiry]:
    """Inquiries staff have not handled yet, oldest first."""
    query = select(Inquiry).where(Inquiry.status == "waiting").order_by(Inquiry.id).limit(limit)
    return list(session.execute(query).scalars())
