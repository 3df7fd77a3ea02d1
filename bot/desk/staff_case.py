"""A ticket an agent opens on a customer's behalf (``/support new``, after a phone call, say).

Not a pipeline step: the ``/support`` listener calls it in its transaction.
The ticket is opened like any other (origin "staff": reference, routing
suggestion, the first-response clock starting now), the agent's description
becomes its first message, the contact gets the receipt by e-mail, and the
card is posted with an audit line naming the agent — all through the outbox,
in the caller's commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.desk.customer_mail import Recipient, mail_customer
from bot.desk.open_ticket import open_ticket
from storage.models import Agent, Contact, Ticket
from storage.repositories import events, messages, slack_queue


def open_on_behalf(session: Session, settings: Settings, calendar, now: datetime, *, agent: Agent, contact: Contact,
                   subject: str, description: str, priority: str = "normal") -> Ticket:
    """Open the ticket, store the description, queue the receipt, the card and the audit line."""
    ticket = open_ticket(session, settings, calendar, now, subject=subject, origin="staff", contact=contact,
                         language=contact.language, participants=(contact.email,), priority=priority,
                         text=description)
    messages.append_message(
        session, ticket, direction="inbound", channel="staff", visibility="customer", agent_id=agent.id,
        author_email=agent.email, author_name=agent.name or agent.email, subject=subject, text=description,
        stripped_text=description, created_at=now,
    )
    events.record_event(session, ticket, "opened_by_staff", now, actor="agent", agent_id=agent.id)
    mail_customer(session, settings, now, "case_received", Recipient.contact(contact), ticket=ticket)
    if settings.slack.enabled:
        slack_queue.queue_card(session, ticket, now)
        said = "opened on the customer's behalf"
        slack_queue.queue_audit(session, ticket, now, said if agent.slack_user_id else f"{said} by {agent.name or agent.email}",
                                actor_slack_id=agent.slack_user_id, icon="📞")
    return ticket
