"""Who is who: customer organisations, their contacts, and our agents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, UtcDateTime

CONTACT_ROLES = ("main_admin", "it_contact")
LANGUAGES = ("sv", "en")
AGENT_SOURCES = ("cli", "slack")  # slack: kept in step with a line's Slack user group by `agent sync`


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # customer number
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    contacts: Mapped[list["Contact"]] = relationship(back_populates="organisation")


class Contact(Base):
    """A registered person at a customer; only authorised contacts may open cases."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint(f"role IN {CONTACT_ROLES!r}", name="role"),
        CheckConstraint(f"language IN {LANGUAGES!r}", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16), default="main_admin")
    language: Mapped[str] = mapped_column(String(2), default="sv")
    authorised: Mapped[bool] = mapped_column(Boolean, default=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    phone: Mapped[str | None] = mapped_column(String(64))
    # Ordered add-on services the organisation bought for this contact, as the portal lists them.
    services: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Set when our mail to this address bounced for good; shown to staff.
    bounced_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class Agent(Base):
    """A support agent; Slack users map to agents by e-mail."""

    __tablename__ = "agents"
    __table_args__ = (
        CheckConstraint("line IN (1, 2, 3)", name="line"),
        CheckConstraint(f"source IN {AGENT_SOURCES!r}", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    line: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(8), default="cli")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OncallShift(Base):
    """Who is on call from when to when (`supportbot oncall set`)."""

    __tablename__ = "oncall_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DirectoryEvent(Base):
    """A portal directory event already handled: its id makes redelivery harmless.

    ``subject`` names what it changed (``organisation:1001``, ``contact:asa@kund.se``);
    an event that occurred before the last one applied to its subject is stale.
    """

    __tablename__ = "directory_events"
    __table_args__ = (Index("ix_directory_events_subject_occurred_at", "subject", "occurred_at"),)

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(400))
    outcome: Mapped[str] = mapped_column(String(16))  # applied | unchanged | stale
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
