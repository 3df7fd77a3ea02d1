"""What every handler shares: the context it reads and writes, and the control-flow exceptions.

Only ``bot.intake.pipeline`` catches ``Discard`` and ``Quarantine``; handlers raise them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.domain.mail.inbound import InboundMessage


class Discard(Exception):
    """Drop the message on purpose (a loop, a duplicate); the reason is logged and stored."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Quarantine(Exception):
    """Set the message aside for staff (forged reply, unparseable); the reason is stored."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class PipelineContext:
    """One message's trip through a pipeline."""

    session: Session
    settings: Settings
    now: datetime
    raw: bytes | None = None
    raw_id: int | None = None
    message: InboundMessage | None = None
    dry_run: bool = False
    ticket: Any = None  # storage.models.Ticket once matched or created
    match: str | None = None  # how the ticket was found: token | message-id | subject
    automatic: str | None = None  # why the message is automatic, if it is
    contact: Any = None  # storage.models.Contact of the sender, if registered
    inquiry: int | None = None  # id of the Inquiry the message became, if it did
    created_ticket: bool = False
    appended: Any = None  # the TicketMessage stored for this message
    # Human-readable record of what was decided, for logs and `mail inspect`.
    decisions: list[str] = field(default_factory=list)
    services: dict[str, Any] = field(default_factory=dict)  # calendar, renderer, …

    @property
    def calendar(self):
        """The desk's BusinessCalendar (opening hours)."""
        return self.services["calendar"]

    def decide(self, text: str) -> None:
        """Record one decision."""
        self.decisions.append(text)
