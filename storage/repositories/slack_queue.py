"""Queueing what staff see in Slack: the card, its thread (timeline, audit lines), notices, alerts.

Everything that records or announces a state change goes through the outbox in
the same transaction as the change. Keys make each post happen once; the card
key carries the revision, and the deliverer always renders the current state,
so a burst of changes costs at most one update each.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import Session, aliased

from storage.models import OutboxRow, Ticket
from storage.repositories import outbox

# Posts in a card's thread: they need the card's ts.
THREAD_KINDS = ("slack.timeline", "slack.audit")


def queue_card(session: Session, ticket: Ticket, now: datetime, *, refresh: bool = False) -> None:
    """Post the ticket's card, or update it in place, showing the state after this transaction.

    ``refresh``: re-render an unchanged ticket (after a stale click); its key is
    new each time, since the revision's own row may long be delivered.
    """
    key = f"card:{ticket.id}:r{ticket.revision}" + (f":refresh:{uuid.uuid4().hex[:12]}" if refresh else "")
    outbox.enqueue(session, "slack.card", key, {"ticket_id": ticket.id}, now, ticket_id=ticket.id)


def waiting_for_card() -> ColumnElement[bool]:
    """Outbox rows that wait for their ticket's card: thread posts while the card is not posted yet
    and a card row for the ticket is still to be delivered.

    The outbox worker leaves them unclaimed (bot/jobs/outbox_worker.py), so they
    follow the card: due the moment the commit that stores its ts is visible,
    never on a backoff of their own (a card that hit one 429 held its thread post
    33 s). With no card row left to deliver (it failed for good) they are claimed
    and retried as any row is.
    """
    card = aliased(OutboxRow)
    unposted = exists().where(Ticket.id == OutboxRow.ticket_id, Ticket.slack_card_ts.is_(None))
    coming = exists().where(card.ticket_id == OutboxRow.ticket_id, card.kind == "slack.card",
                            card.state.in_(("pending", "sending")))
    return OutboxRow.kind.in_(THREAD_KINDS) & unposted & coming


def queue_timeline(session: Session, ticket: Ticket, now: datetime, *, key: str, author: str, text: str,
                   attachments: list[str], kind: str, message_row_id: int | None = None) -> None:
    """A message in the card's thread (a customer's mail or chat, shown escaped); its files follow it
    (``message_row_id``: the stored message, whose attachments the post's delivery queues)."""
    payload = {"ticket_id": ticket.id, "author": author, "text": text, "attachments": attachments, "kind": kind,
               "message_row_id": message_row_id}
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
