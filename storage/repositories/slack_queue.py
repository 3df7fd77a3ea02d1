"""Queueing what staff see in Slack: the card, its thread (timeline, audit lines), notices, alerts.

Everything that records or announces a state change goes through the outbox in
the same transaction as the change. Keys make each post happen once; the card
key carries the revision, and the deliverer always renders the current state,
so a burst of changes costs at most one update each.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from storage.models import Ticket
from storage.repositories import outbox


def queue_card(session: Session, ticket: Ticket, now: datetime, *, refresh: bool = False) -> None:
    """Post the ticket's card, or update it in place, showing the state after this transaction.

    ``refresh``: re-render an unchanged ticket (after a stale click); its key is
    new each time, since the revision's own row may long be delivered.
    """
    key = f"card:{ticket.id}:r{ticket.revision}" + (f":refresh:{uuid.uuid4().hex[:12]}" if refresh else "")
    outbox.enqueue(session, "slack.card", key, {"ticket_id": ticket.id}, now, ticket_id=ticket.id)


def queue_timeline(session: Session, ticket: Ticket, now: datetime, *, key: str, author: str, text: str,
                   attachments: list[str], kind: str) -> None:
    """A message in the card's thread (a customer's mail or chat, shown escaped)."""
    payload = {"ticket_id": ticket.id, "author": author, "text": text, "attachments": attachments, "kind": kind}
    outbox.enqueue(session, "slack.timeline", f"timeline:{key}", payload, now, ticket_id=ticket.id)


def queue_audit(session: Session, ticket: Ticket, now: datetime, text: str, *, actor_slack_id: str | None = None,
                icon: str = "•", key: str | None = None) -> None:
    """A one-line audit post in the card's thread ("escalated to line 2 by @agent")."""
    payload = {"ticket_id": ticket.id, "text": text, "actor_slack_id": actor_slack_id, "icon": icon}
    outbox.enqueue(session, "slack.audit", f"audit:{ticket.id}:{key or uuid.uuid4().hex}", payload, now,
                   ticket_id=ticket.id)


def queue_inquiry_notice(session: Session, inquiry_id: int, now: datetime) -> None:
    """The compact notice for a new-case inquiry (posted once, updated when handled)."""
    outbox.enqueue(session, "slack.inquiry", f"inquiry:{inquiry_id}:{uuid.uuid4().hex[:8]}",
                   {"inquiry_id": inquiry_id}, now)


def queue_alert(session: Session, now: datetime, key: str, text: str, ticket_id: int | None = None) -> None:
    """A post in the alerts channel, once per key."""
    outbox.enqueue(session, "slack.alert", key, {"text": text}, now, ticket_id=ticket_id)


def queue_survey_result(session: Session, ticket: Ticket, now: datetime, channel: str, text: str) -> None:
    """A survey answer in the survey channel (``slack.survey_channel``), once per ticket."""
    outbox.enqueue(session, "slack.survey", f"survey-result:{ticket.id}", {"ticket_id": ticket.id, "channel": channel,
                                                                   "text": text}, now, ticket_id=ticket.id)
