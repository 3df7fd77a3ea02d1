"""Mailing a customer: the one way a templated mail to a customer is queued.

:func:`mail_customer` owns what every such mail shares, so no call site writes
it out again: the Message-ID domain (the support address's), the From address,
the greeting's first name and the language (:class:`Recipient`), the ticket's
reference and subject in the template's context, and the idempotency key
(:func:`mail_key`: the same decision queued twice sends one mail).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.mail.message_key import SYNTHETIC_DOMAIN
from bot.desk.open_ticket import first_response_budget
from bot.domain.mail.salutations import first_name
from bot.domain.sla.promise import first_response_promise
from storage.models import Contact, Ticket, TicketParticipant
from storage.repositories.mail_queue import queue_email


@dataclass(frozen=True)
class Recipient:
    """Who a mail goes to, by which first name they are greeted, and in which language."""

    address: str
    first_name: str
    language: str

    @classmethod
    def of(cls, address: str, name: str | None, language: str) -> Recipient:
        return cls(address, first_name(name), language)

    @classmethod
    def contact(cls, contact: Contact) -> Recipient:
        return cls.of(contact.email, contact.name, contact.language)


def recipient(session: Session, ticket: Ticket) -> Recipient | None:
    """The customer to mail about ``ticket``: its contact, else its first participant; None without one."""
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    if contact is not None:
        return Recipient.contact(contact)
    first_participant = session.execute(
        select(TicketParticipant.email).where(TicketParticipant.ticket_id == ticket.id)
        .order_by(TicketParticipant.id).limit(1)).scalar_one_or_none()
    return Recipient(first_participant, "", ticket.language) if first_participant else None


def ticket_context(settings, ticket: Ticket, language: str) -> dict[str, Any]:
    """What every message about a ticket may say: its reference, subject, and the first response it promises."""
    budget = first_response_budget(settings, ticket.priority, ticket.line)
    return {"reference": ticket.reference, "subject": ticket.subject,
            "first_response_promise": first_response_promise(budget, language)}


def mail_key(template: str, *, ticket: Ticket | None = None, about: str | None = None, once: bool = False) -> str:
    """The idempotency key: per ticket revision (default), once per ticket, or about an inbound message or case.

    ``about`` ("auto:<message-id>", "portal:<case>") names what the mail answers;
    ``once`` makes it one per ticket ever (the survey invitation).
    """
    if about is not None:
        return f"{about}:{template}"
    if ticket is None:
        raise ValueError("a customer mail's key needs its ticket or what it is about")
    if once:
        return f"{template.replace('_', '-')}:{ticket.id}"
    return f"ticket:{ticket.id}:r{ticket.revision}:{template}"


def mail_customer(session: Session, settings, now: datetime, template: str, to: Recipient, *,
                  ticket: Ticket | None = None, context: dict[str, Any] | None = None, about: str | None = None,
                  once: bool = False, automatic: bool = True, agent_id: int | None = None,
                  audit: dict[str, Any] | None = None, answering: Sequence[str] = (),
                  attachments: list[dict[str, Any]] | None = None) -> str | None:
    """Queue ``template`` to ``to`` (in the caller's transaction); its Message-ID, None if queued before or refused.

    The context always carries ``contact_name`` (the first name) and, with a
    ticket, :func:`ticket_context`; ``context`` adds to or overrides them.
    ``answering`` — the customer's message's References and its own Message-ID,
    oldest first — threads a mail that answers a message with no ticket (the
    portal answer, the unknown-sender answer) under it (RFC 5322 3.6.4).
    ``attachments`` (already in the attachment store) go with the mail (an agent's files).
    """
    base: dict[str, Any] = {"contact_name": to.first_name}
    if ticket is not None:
        base |= ticket_context(settings, ticket, to.language)
    return queue_email(
        session, now, domain=settings.desk.support_address.rpartition("@")[2],
        from_address=settings.smtp.from_address, key=mail_key(template, ticket=ticket, about=about, once=once),
        template=template, lang=to.language, to=[to.address], context=base | (context or {}), ticket=ticket,
        automatic=automatic, agent_id=agent_id, audit=audit, thread=_thread(answering) if answering else None,
        attachments=attachments,
    )


def _thread(ids: Sequence[str]) -> list[str]:
    # Our stand-in id for a mail that came without one threads nothing (as in the ticket's thread).
    return [i for i in ids if i and i.startswith("<") and not i.endswith(f"@{SYNTHETIC_DOMAIN}>")]
