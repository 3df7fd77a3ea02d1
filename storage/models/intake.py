"""What came in: raw messages, IMAP cursors, inquiries, seen events, leases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UtcDateTime

RAW_STATES = ("received", "processed", "quarantined", "dropped")
INQUIRY_KINDS = ("new_case", "unknown_sender")
INQUIRY_STATUSES = ("waiting", "opened", "dismissed")


class RawMessage(Base):
    """A mail exactly as received, committed before the transport acknowledges it."""

    __tablename__ = "raw_messages"
    __table_args__ = (
        CheckConstraint(f"state IN {RAW_STATES!r}", name="state"),
        Index("ix_raw_messages_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8))  # imap | smtp | import
    # Dedupe key: the Message-ID, or a stable one derived from the bytes' hash.
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # NULL once purged by retention
    mailbox: Mapped[str | None] = mapped_column(String(512))
    uid: Mapped[int | None] = mapped_column(BigInteger)
    envelope_from: Mapped[str | None] = mapped_column(String(320))
    envelope_to: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="received")
    reason: Mapped[str | None] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ImapCursor(Base):
    """How far a mailbox has been read: UIDVALIDITY and the last committed UID."""

    __tablename__ = "imap_cursors"

    mailbox: Mapped[str] = mapped_column(String(512), primary_key=True)  # user@host/folder
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Inquiry(Base):
    """A new case or unknown sender answered with a template; staff may open it as a ticket."""

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(f"kind IN {INQUIRY_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {INQUIRY_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))  # email | slack
    status: Mapped[str] = mapped_column(String(12), default="waiting", index=True)
    sender_email: Mapped[str | None] = mapped_column(String(320), index=True)
    sender_name: Mapped[str | None] = mapped_column(String(255))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    subject: Mapped[str | None] = mapped_column(String(998))
    text: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    slack_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    raw_message_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    handled_by_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    slack_notice_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SeenEvent(Base):
    """Idempotency for inbound events that may be redelivered (Slack event_id, portal case id)."""

    __tablename__ = "seen_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class Lease(Base):
    """A named lease with expiry, so one replica polls a mailbox at a time."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
