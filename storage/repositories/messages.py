"""Appending messages to tickets, exactly once per Message-ID or Slack ts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Ticket, TicketMessage
from storage import search
from storage.repositories.upsert import as_persistent, insert_ignoring_conflict


def record_message(session: Session, ticket: Ticket, **fields) -> int | None:
    """Append a message nobody reads back now (e.g. our outgoing mail); its id, None if its key was stored.

    A message a person wrote goes into the full-text index in the same
    transaction (its fresh text: ``stripped_text`` when set); automatic answers do not.
    """
    new_id = insert_ignoring_conflict(session, TicketMessage, {"ticket_id": ticket.id, **fields})
    if new_id is not None and not fields.get("automatic"):
        stripped = fields.get("stripped_text")
        search.add_message(session, ticket, stripped if stripped is not None else fields.get("text"))
    return new_id


def append_message(session: Session, ticket: Ticket, **fields) -> tuple[TicketMessage, bool]:
    """Append a message; with a Message-ID or Slack key already stored, return that row instead.

    Returns ``(message, created)``. The unique index, not a prior SELECT, decides,
    so two replicas racing on the same mail still store it once.
    """
    keys = {name: fields[name] for name in ("message_id", "slack_key") if fields.get(name)}
    new_id = record_message(session, ticket, **fields)
    if new_id is not None:
        return as_persistent(session, TicketMessage(id=new_id, ticket_id=ticket.id, **fields)), True
    if not keys:  # pragma: no cover - without a key there is nothing to conflict on
        raise RuntimeError("insert without idempotency key conflicted")
    name, value = next(iter(keys.items()))
    existing = session.execute(select(TicketMessage).where(getattr(TicketMessage, name) == value)).scalar_one()
    return existing, False
