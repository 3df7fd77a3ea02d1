"""Tickets, their messages, attachments, participants and event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.domain.tickets import PRIORITIES, STATUSES
from storage.models.base import Base, UtcDateTime

ORIGINS = ("email", "slack", "portal", "staff")
DIRECTIONS = ("inbound", "outbound")
CHANNELS = ("email", "slack", "portal", "staff")
VISIBILITIES = ("customer", "internal")


class ReferenceCounter(Base):
    """Last ticket number issued per year, so references read `TC-2026-00042`."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(f"priority IN {PRIORITIES!r}", name="priority"),
        CheckConstraint(f"origin IN {ORIGINS!r}", name="origin"),
        CheckConstraint("line IN (1, 2, 3)", name="line"),
        # The SLA monitor's one query: open tickets whose first response is
        # still outstanding, ordered by the next instant that needs a look.
        Index("ix_tickets_sla_pending", "sla_next_check_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    subject: Mapped[str] = mapped_column(String(998))  # RFC 5322 line limit
    status: Mapped[str] = mapped_column(String(24), default="new", index=True)
    line: Mapped[int] = mapped_column(Integer, default=1)
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    category: Mapped[str | None] = mapped_column(String(64))
    suggested_line: Mapped[int | None] = mapped_column(Integer)
    suggested_category: Mapped[str | None] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    portal_case_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The previous system's reference of an imported case (`ticket import` is idempotent on it).
    external_reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    # Unguessable per-ticket token in `support+<token>@domain` reply addresses.
    reply_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Bumped on every change; buttons carry it so a stale click is detected.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str] = mapped_column(String(2), default="sv")
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_card_ts: Mapped[str | None] = mapped_column(String(32))
    customer_channel: Mapped[str | None] = mapped_column(String(32))
    customer_thread_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Next instant the SLA monitor must look at this ticket (warning, breach or
    # reminder); NULL once the first response is given or the ticket closes.
    sla_next_check_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closure_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    messages: Mapped[list["TicketMessage"]] = relationship(back_populates="ticket", order_by="TicketMessage.id")
    events: Mapped[list["TicketEvent"]] = relationship(back_populates="ticket", order_by="TicketEvent.id")


class TicketParticipant(Base):
    """An address that may add to a ticket (the contact, people in Cc)."""

    __tablename__ = "ticket_participants"
    __table_args__ = (UniqueConstraint("ticket_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TicketMessage(Base):
    """One message on a ticket: customer mail or chat, agent reply, internal note."""

    __tablename__ = "ticket_messages"
    __table_args__ = (
        CheckConstraint(f"direction IN {DIRECTIONS!r}", name="direction"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        CheckConstraint(f"visibility IN {VISIBILITIES!r}", name="visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(8))
    visibility: Mapped[str] = mapped_column(String(8), default="customer")
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    author_email: Mapped[str | None] = mapped_column(String(320))
    author_name: Mapped[str | None] = mapped_column(String(255))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    # Idempotency keys: the RFC 5322 Message-ID for mail, channel:ts for Slack.
    message_id: Mapped[str | None] = mapped_column(String(998), unique=True)
    slack_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(998))
    text: Mapped[str] = mapped_column(Text, default="")
    stripped_text: Mapped[str | None] = mapped_column(Text)  # without quoted history
    html: Mapped[str | None] = mapped_column(Text)
    raw_message_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    ticket: Mapped[Ticket] = relationship(back_populates="messages")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="message")


class Attachment(Base):
    """A file on a message, stored by content hash; the name is data, never a path."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(1024), default="")
    content_type: Mapped[str] = mapped_column(String(255), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    inline: Mapped[bool] = mapped_column(Boolean, default=False)
    # False when over the size cap or purged by retention: the row stays as a record.
    stored: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    message: Mapped[TicketMessage] = relationship(back_populates="attachments")


class TicketEvent(Base):
    """The ticket's audit log: every handling step is documented here."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(48))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    actor: Mapped[str] = mapped_column(String(16), default="system")  # system | customer | agent
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    ticket: Mapped[Ticket] = relationship(back_populates="events")
