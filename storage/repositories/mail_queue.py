"""Queueing mail: one outbox row plus the outbound message on the ticket.

Handlers call ``queue_email`` in their transaction; nothing is sent here. The
Message-ID is chosen now and stored in both places, so a customer's reply to it
matches the ticket, and a resend after a crash carries the same id (clients
collapse duplicates by Message-ID).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.mail.mailboxes import is_mailbox
from storage.models import Attachment, Ticket, TicketMessage
from storage.repositories import events, messages, outbox

log = logging.getLogger("supportbot.outbox")


def new_message_id(domain: str) -> str:
    """A globally unique Message-ID in our domain (RFC 5322 3.6.4)."""
    return f"<sb-{uuid.uuid4().hex}@{domain}>"


_MESSAGES = TicketMessage.__table__
# Built once (runs for every mail queued on a ticket); Core on the session's
# connection, as ticket messages are only written through Core inserts.
_THREAD = select(_MESSAGES.c.message_id).where(
    _MESSAGES.c.ticket_id == bindparam("ticket_id"), _MESSAGES.c.message_id.is_not(None), _MESSAGES.c.channel == "email",
).order_by(_MESSAGES.c.id)


def ticket_thread(session: Session, ticket: Ticket) -> list[str]:
    """Message-IDs of the ticket's mail so far, oldest first (for In-Reply-To/References)."""
    rows = session.connection().execute(_THREAD, {"ticket_id": ticket.id}).scalars()
    return [value for value in rows if not value.endswith("@supportbot.invalid>")]


def queue_email(
    session: Session,
    now: datetime,
    *,
    domain: str,
    from_address: str,
    key: str,
    template: str,
    lang: str,
    to: list[str],
    context: dict[str, Any],
    ticket: Ticket | None = None,
    automatic: bool = True,
    auto_submitted: str = "auto-replied",
    agent_id: int | None = None,
    audit: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    thread: list[str] | None = None,
) -> str | None:
    """Queue one templated mail under idempotency ``key``; return its Message-ID, None if already queued or refused.

    Refused (logged, nothing queued): a recipient that is not one well-formed
    mailbox (bot/domain/mail/mailboxes.py) — a directory row or a participant can
    hold anything, and a mail that can never be delivered must not be queued.

    ``audit`` ({"icon", "text", "actor_slack_id"}) is posted in the ticket's Slack
    thread after delivery, so "sent to customer" is only said once it is true.

    ``attachments`` ({"sha256", "filename", "content_type", "size"}, already in the
    attachment store) go with the mail and are recorded on its message, as a customer's are.
    ``thread`` (Message-IDs, oldest first) threads a mail that answers a message
    with no ticket; by default a ticket's mail follows the ticket's thread.
    """
    if not to or not all(isinstance(address, str) and is_mailbox(address) for address in to):
        log.warning("%s mail not queued: a recipient is not one well-formed mailbox", template)
        if ticket is not None:
            events.record_event(session, ticket, "mail_refused", now, template=template,
                                reason="a recipient is not one well-formed mailbox")
        return None
    message_id = new_message_id(domain)
    payload = {
        "template": template,
        "lang": lang,
        "to": to,
        "context": context,
        "message_id": message_id,
        "thread": thread if thread is not None else ticket_thread(session, ticket) if ticket else [],
        "reference": ticket.reference if ticket else None,
        "reply_token": ticket.reply_token if ticket else None,
        "automatic": automatic,
        "auto_submitted": auto_submitted,
        # Posted in the card's thread once the SMTP server accepted the mail.
        "audit": audit,
    }
    if attachments:
        payload["attachments"] = attachments
    if not outbox.enqueue(session, "email", key, payload, now, ticket_id=ticket.id if ticket else None):
        return None
    if ticket is not None:
        stored_id = messages.record_message(
            session, ticket, direction="outbound", channel="email", visibility="customer", automatic=automatic,
            author_email=from_address, agent_id=agent_id, message_id=message_id,
            subject=ticket.subject, text="", created_at=now,
            # An agent's own words (without greeting and signature) are what the index keeps.
            stripped_text=None if automatic else context.get("body"),
        )
        for item in (attachments or []) if stored_id is not None else []:
            session.add(Attachment(message_id=stored_id, filename=item["filename"], content_type=item["content_type"],
                                   size=item["size"], sha256=item["sha256"], stored=True, created_at=now))
    return message_id
