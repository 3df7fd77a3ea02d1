"""Inquiries: new cases pointed to the portal and unknown senders, kept for staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Inquiry


def create_inquiry(session: Session, *, kind: str, channel: str, created_at: datetime, **fields) -> Inquiry:
    """Record an inquiry (status waiting) in the caller's transaction."""
    inquiry = Inquiry(kind=kind, channel=channel, status="waiting", created_at=created_at, **fields)
    session.add(inquiry)
    session.flush()
    return inquiry


def waiting(session: Session, limit: int = 50) -> list[Inquiry]:
    """Inquiries staff have not handled yet, oldest first."""
    query = select(Inquiry).where(Inquiry.status == "waiting").order_by(Inquiry.id).limit(limit)
    return list(session.execute(query).scalars())
