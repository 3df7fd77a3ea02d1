"""The whole of one message, for the "Full message" modal: its text uncut and the headers that matter.

The thread post shows the fresh part of a mail, cut to Block Kit's limits; this
read model gives everything: the full text (quoted history included) and From,
To, Cc, Date and Message-ID read from the raw mail as received (the stored
fields when the raw mail is purged, or for chat), plus whether a raw mail is
there to download as .eml.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser

from sqlalchemy.orm import Session, sessionmaker

from storage.models import RawMessage, Ticket, TicketMessage

HEADERS = ("From", "To", "Cc", "Date", "Message-ID")


@dataclass(frozen=True)
class FullMessage:
    message_id: int
    ticket_id: int
    reference: str
    subject: str
    text: str
    headers: tuple[tuple[str, str], ...]
    has_raw: bool


def full_message(sessions: sessionmaker[Session], message_id: int) -> FullMessage | None:
    """The message with id ``message_id`` as a FullMessage; None when it is gone or internal."""
    with sessions() as session:
        message = session.get(TicketMessage, message_id)
        if message is None or message.visibility != "customer":
            return None
        ticket = session.get(Ticket, message.ticket_id)
        raw = session.get(RawMessage, message.raw_message_id) if message.raw_message_id else None
        raw_bytes = raw.raw if raw is not None else None
        headers = _raw_headers(raw_bytes) if raw_bytes else _stored_headers(message)
        return FullMessage(message.id, ticket.id, ticket.reference, message.subject or ticket.subject or "",
                           message.text or message.stripped_text or "", headers, raw_bytes is not None)


def _raw_headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    try:
        parsed = BytesHeaderParser(policy=policy.default).parsebytes(raw)
        return tuple((name, " ".join(str(parsed[name]).split())) for name in HEADERS if parsed[name] is not None)
    except Exception:  # a header the parser cannot read must not hide the message; show it as received
        parsed = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        return tuple((name, " ".join(str(parsed[name]).split())) for name in HEADERS if parsed[name] is not None)


def _stored_headers(message: TicketMessage) -> tuple[tuple[str, str], ...]:
    author = f"{message.author_name} <{message.author_email}>" if message.author_name else message.author_email
    found = [("From", author), ("Date", f"{message.created_at:%Y-%m-%d %H:%M} UTC"), ("Message-ID", message.message_id)]
    return tuple((name, value) for name, value in found if value)
