"""One ticket's timeline, read from the database: its messages, its events and the mails sent, in time order.

A mail we send is an outbox row and an outbound message with the same Message-ID
(its text is rendered only at delivery); the timeline shows it once, as the mail,
with its delivery state. The `mail_sent` event says the same and is left out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.ticket_listing import TicketRow, ticket_rows
from storage.models import Agent, Attachment, OutboxRow, Ticket, TicketEvent, TicketMessage

_ORDER = {"message": 0, "event": 1, "mail": 2}  # same instant: what came in, what it did, what went out


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str                 # message | event | mail
    what: str                 # one line, e.g. "inbound email from john@…", "status_changed", "agent_reply to …"
    text: str = ""            # a message's text (without quoted history) or an agent's reply
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TicketTimeline:
    ticket: TicketRow
    entries: list[Entry]


def ticket_timeline(session: Session, reference: str) -> TicketTimeline | None:
    """The ticket with this reference (any case) and everything that happened to it; None if there is none."""
    found = session.execute(ticket_rows(Ticket.id).where(Ticket.reference == reference.strip().upper())).first()
    if found is None:
        return None
    *columns, ticket_id = found
    entries = [*_messages(session, ticket_id), *_events(session, ticket_id), *_mails(session, ticket_id)]
    entries.sort(key=lambda entry: (entry.at, _ORDER[entry.kind]))
    return TicketTimeline(TicketRow(*columns), entries)


def _messages(session: Session, ticket_id: int) -> list[Entry]:
    rows = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id)
                           .order_by(TicketMessage.id)).scalars().all()
    names = _attachment_names(session, [row.id for row in rows])
    return [Entry(row.created_at, "message", _message_what(row), row.stripped_text or row.text or "",
                  {"channel": row.channel, "direction": row.direction, "visibility": row.visibility,
                   "author": row.author_email, "attachments": names.get(row.id, [])})
            for row in rows if not (row.direction == "outbound" and row.channel == "email")]


def _message_what(row: TicketMessage) -> str:
    who = row.author_email or row.author_name or "unknown"
    if row.visibility == "internal":
        return f"internal note by {who}"
    if row.direction == "inbound":
        return f"from {who} by {row.channel}"
    return f"to the customer by {row.channel}, from {who}"


def _attachment_names(session: Session, message_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    query = select(Attachment.message_id, Attachment.filename).where(Attachment.message_id.in_(message_ids))
    for message_id, filename in session.execute(query.order_by(Attachment.id)):
        names.setdefault(message_id, []).append(filename)
    return names


def _events(session: Session, ticket_id: int) -> list[Entry]:
    query = (select(TicketEvent, Agent.email).outerjoin(Agent, Agent.id == TicketEvent.agent_id)
             .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind != "mail_sent").order_by(TicketEvent.id))
    return [Entry(event.created_at, "event", event.kind + (f" by {agent}" if agent else ""),
                  data={"actor": event.actor, **(event.data or {})})
            for event, agent in session.execute(query)]


def _mails(session: Session, ticket_id: int) -> list[Entry]:
    rows = session.execute(select(OutboxRow).where(OutboxRow.ticket_id == ticket_id, OutboxRow.kind == "email")
                           .order_by(OutboxRow.id)).scalars()
    entries = []
    for row in rows:
        payload = row.payload or {}
        to = ", ".join(payload.get("to") or []) or "(recipient purged)"
        entries.append(Entry(row.sent_at or row.created_at, "mail", f"{payload.get('template', '?')} to {to}",
                             (payload.get("context") or {}).get("body", ""),
                             {"state": row.state, "queued_at": row.created_at.isoformat(),
                              "message_id": payload.get("message_id"), "error": row.last_error}))
    return entries
