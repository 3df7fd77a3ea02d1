"""A case registered in the portal becomes a ticket: once per case id, for authorised contacts only.

Transport-free: the webhook verifies and parses, this decides and stores, in one
transaction with the customer's receipt and the Slack card. Base64 attachments
are stored by content hash; link attachments are recorded (name and URL, in the
ticket's event log and the staff timeline) and never fetched — the bot makes no
outbound requests on a customer's behalf.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.hours.opening_text import format_next_opening
from bot.web.portal.schema import PortalCase
from bot.desk.customer_mail import Recipient, mail_customer
from bot.desk.open_ticket import open_ticket
from storage.models import Attachment, Contact, Organisation, Ticket
from storage.repositories import autoreplies, directory, events, messages, slack_queue, tickets


class CaseRejected(Exception):
    """The case is well-formed but cannot be accepted; ``errors`` maps fields to reasons."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Registered:
    """The ticket's reference, and whether this delivery created it."""

    reference: str
    created: bool


def register_case(sessions: sessionmaker[Session], settings, services: dict, now: datetime,
                  case: PortalCase) -> Registered:
    """Open the ticket for ``case`` (or find the one already opened); raises CaseRejected."""
    with sessions() as session:
        existing = tickets.find_by_portal_case(session, case.case_id)
        if existing is not None:
            return Registered(existing.reference, False)
        contact = _authorised_contact(session, case)
        try:
            ticket = _open(session, settings, services, now, case, contact)
            session.commit()
        except IntegrityError:
            # Two deliveries raced (the portal retried, or its notification mail
            # arrived at the same moment): the unique case id let one through.
            session.rollback()
            existing = tickets.find_by_portal_case(session, case.case_id)
            if existing is None:
                raise
            return Registered(existing.reference, False)
        return Registered(ticket.reference, True)


def _authorised_contact(session: Session, case: PortalCase) -> Contact:
    organisation = session.execute(
        select(Organisation).where(Organisation.number == case.organisation)).scalar_one_or_none()
    if organisation is None:
        raise CaseRejected({"organisation": "unknown organisation number"})
    contact = directory.find_contact(session, case.contact_email)
    if contact is None or contact.organisation_id != organisation.id or not contact.authorised:
        raise CaseRejected({"contact_email": "not a registered, authorised contact of this organisation"})
    return contact


def _open(session: Session, settings, services: dict, now: datetime, case: PortalCase, contact: Contact) -> Ticket:
    ticket = open_ticket(
        session, settings, services["calendar"], now, subject=case.subject, origin="portal", contact=contact,
        language=contact.language, participants=(contact.email,), portal_case_id=case.case_id,
        text=case.description, portal_category=case.category,
    )
    first, _ = messages.append_message(
        session, ticket, direction="inbound", channel="portal", visibility="customer", author_email=contact.email,
        author_name=(contact.name or "")[:255], subject=case.subject, text=case.description,
        stripped_text=case.description, created_at=now,
    )
    stored = _store_files(session, settings, services.get("attachments"), case, first.id, now)
    links = [{"name": a.name, "url": a.url} for a in case.attachments if a.url is not None]
    events.record_event(session, ticket, "portal_case", now, actor="customer", case_id=case.case_id,
                        category=case.category, organisation=case.organisation, links=links)
    _acknowledge(session, settings, services["calendar"], now, ticket, contact, case)
    if settings.slack.enabled:
        slack_queue.queue_card(session, ticket, now)
        names = stored + [f"{link['name']} (link, not fetched: {link['url']})" for link in links]
        author = f"{contact.name} <{contact.email}>" if contact.name else contact.email
        slack_queue.queue_timeline(session, ticket, now, key=f"portal:{case.case_id}", author=author,
                                   text=case.description, attachments=names, kind="portal")
    return ticket


def _store_files(session: Session, settings, store, case: PortalCase, message_id: int, now: datetime) -> list[str]:
    names = []
    for attachment in case.attachments:
        content = attachment.content()
        if content is None:
            continue
        digest = hashlib.sha256(content).hexdigest()
        kept = store is not None and len(content) <= settings.desk.attachment_max_bytes
        if kept:
            store.put(digest, content)  # content-addressed: a rolled-back ticket leaves at most a harmless file
        session.add(Attachment(message_id=message_id, filename=attachment.name, content_type=attachment.content_type,
                               size=len(content), sha256=digest, stored=kept, created_at=now))
        names.append(attachment.name)
    return names


def _acknowledge(session: Session, settings, calendar, now: datetime, ticket: Ticket, contact: Contact,
                 case: PortalCase) -> None:
    """The receipt; out of hours it names the next opening instead (as the mail path's acknowledge does)."""
    to = Recipient.contact(contact)
    context = {}
    template = "case_received"
    if not calendar.is_open(now):
        template = "out_of_hours"
        context["next_open_at"] = format_next_opening(calendar.next_opening(now), now, to.language, calendar.tz)
    mail_customer(session, settings, now, template, to, ticket=ticket, context=context, about=f"portal:{case.case_id}")
    autoreplies.record(session, contact.email, template, now, ticket.id)
