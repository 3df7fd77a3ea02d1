"""The per-ticket event log: all handling is documented."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import Ticket, TicketEvent


def record_event(
    session: Session,
    ticket: Ticket,
    kind: str,
    at: datetime,
    *,
    actor: str = "system",
    agent_id: int | None = None,
    **data: Any,
) -> TicketEvent:
    """Add one line to ``ticket``'s event log (e.g. ``claimed``, ``escalated``, ``mail_sent``)."""
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, agent_id=agent_id, data=data, created_at=at)
    session.add(event)
    return event
