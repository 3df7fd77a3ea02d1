"""What goes out and what we promised: outbox, autoreply log, SLA alerts, surveys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime

OUTBOX_STATES = ("pending", "sending", "sent", "failed")
ALERT_LEVELS = ("warning", "breach", "reminder")


class OutboxRow(Base):
    """Something to deliver, written in the same transaction as the decision behind it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"state IN {OUTBOX_STATES!r}", name="state"),
        # The worker's claim query: due rows by state and time.
        Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # email | slack.post | slack.update | …
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # A claim is a lease: a worker that dies mid-delivery loses it at claimed_until.
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # e.g. the Slack ts of a post
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AutoreplyLog(Base):
    """Every automatic answer, so the rate limit survives restarts and replicas."""

    __tablename__ = "autoreply_log"
    __table_args__ = (Index("ix_autoreply_log_recipient_sent_at", "recipient", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))  # e-mail address or slack:<user>
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"), index=True)
    template: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SlaAlert(Base):
    """One alert per (ticket, kind, level, occurrence): the unique key makes it exactly once."""

    __tablename__ = "sla_alerts"
    __table_args__ = (
        CheckConstraint(f"level IN {ALERT_LEVELS!r}", name="level"),
        UniqueConstraint("ticket_id", "kind", "level", "occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24), default="first_response")
    level: Mapped[str] = mapped_column(String(8))
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SurveyResponse(Base):
    """The customer's rating of a closed ticket; one per ticket, so links are single-use."""

    __tablename__ = "survey_responses"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(8), default="web")  # web | email
    line: Mapped[int | None] = mapped_column(Integer)  # kept for statistics after erasure
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime())
