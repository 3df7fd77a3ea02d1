"""Retention: purge what customers wrote on tickets closed more than ``desk.retention_days`` ago, and old unlinked raw mail.

Purged, per ticket: every message's text, stripped text and HTML; the raw mail
bytes behind its messages and inquiries; its attachment files (the rows stay,
``stored = false``); the text of inquiries opened as it; and the payloads of
its delivered or failed outbox rows (down to template, language and
Message-ID). Kept: the ticket, its events, references and Message-IDs (later
mail still threads), message and attachment rows, survey ratings — everything
the statistics read (see bot/jobs/privacy.py).

Raw mail that became no ticket message and no inquiry (quarantined, dropped,
loops, bounces, duplicates) has no ticket to wait for: its bytes are dropped
once it was received more than ``desk.retention_days`` ago; the row and its
Message-ID stay, so the mail is still recognised if it comes again.

Each purge writes a ``retention_purged`` event on the ticket; a ticket with such
an event after its last closing is done, so the job is idempotent and a reopened,
re-closed ticket is purged again. Tickets go in batches, one transaction each;
on PostgreSQL the batch is taken ``FOR UPDATE SKIP LOCKED``, so replicas running
the job at once share the work instead of repeating it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.tickets import Status
from storage.attachment_store import AttachmentStore
from bot.jobs.periodic import PeriodicJob
from bot.jobs.privacy import chunks, purge_message_bodies, purge_raw_mail, unstore_attachments
from storage import search
from storage.models import Inquiry, OutboxRow, RawMessage, Ticket, TicketEvent, TicketMessage

PURGED = "retention_purged"
# What a settled outbox row keeps of its payload: enough to say what was sent, not what it said.
KEPT_PAYLOAD_KEYS = ("template", "lang", "message_id", "reference", "ticket_id", "kind")


def due_ticket_ids(session: Session, cutoff: datetime, limit: int) -> list[int]:
    """Closed before ``cutoff`` and not purged since their last closing; locked, skipping others' batches."""
    purged_since_closing = (
        select(TicketEvent.id)
        .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == PURGED, TicketEvent.created_at >= Ticket.closed_at)
        .exists()
    )
    query = (
        select(Ticket.id)
        .where(Ticket.status == Status.CLOSED, Ticket.closed_at < cutoff, ~purged_since_closing)
        .order_by(Ticket.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(query).scalars())


def purge_tickets(session: Session, store: AttachmentStore | None, ticket_ids: list[int], now: datetime,
                  retention_days: int) -> Counter:
    """Purge these tickets' bodies, raw mail, files and payloads, and mark each purged; the caller commits."""
    counts: Counter = Counter(tickets=len(ticket_ids))
    messages = session.execute(select(TicketMessage.id, TicketMessage.raw_message_id)
                               .where(TicketMessage.ticket_id.in_(ticket_ids))).all()
    inquiries = session.execute(select(Inquiry.id, Inquiry.raw_message_id)
                                .where(Inquiry.ticket_id.in_(ticket_ids))).all()
    message_ids = [row.id for row in messages]
    counts["messages"] = purge_message_bodies(session, message_ids)
    counts["attachments"] = unstore_attachments(session, store, message_ids)
    raw_ids = {row.raw_message_id for row in [*messages, *inquiries] if row.raw_message_id}
    counts["raw_mails"] = purge_raw_mail(session, raw_ids)
    for part in chunks(row.id for row in inquiries):
        counts["inquiries"] += session.execute(
            update(Inquiry).where(Inquiry.id.in_(part), Inquiry.text != "").values(text="")
            .execution_options(synchronize_session=False)).rowcount
    counts["outbox_rows"] = _slim_settled_outbox(session, ticket_ids)
    counts["index_documents"] = search.remove(session, ticket_ids)  # their text is gone; so is their memory
    session.add_all([TicketEvent(ticket_id=ticket_id, kind=PURGED, actor="system", created_at=now,
                                 data={"retention_days": retention_days}) for ticket_id in ticket_ids])
    return counts


def _slim_settled_outbox(session: Session, ticket_ids: list[int]) -> int:
    rows = session.execute(select(OutboxRow.id, OutboxRow.payload).where(
        OutboxRow.ticket_id.in_(ticket_ids), OutboxRow.state.in_(("sent", "failed")))).all()
    changed = 0
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        if payload.get("purged"):
            continue
        slim = {key: payload[key] for key in KEPT_PAYLOAD_KEYS if key in payload} | {"purged": True}
        session.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(payload=slim)
                        .execution_options(synchronize_session=False))
        changed += 1
    return changed


def purge_unlinked_raw_mail(session: Session, cutoff: datetime, limit: int) -> int:
    """Drop the bytes of up to ``limit`` settled raw mails received before ``cutoff`` that nothing links to."""
    linked_to_message = select(TicketMessage.id).where(TicketMessage.raw_message_id == RawMessage.id).exists()
    linked_to_inquiry = select(Inquiry.id).where(Inquiry.raw_message_id == RawMessage.id).exists()
    query = (
        select(RawMessage.id)
        .where(RawMessage.received_at < cutoff, RawMessage.raw.is_not(None), RawMessage.state != "received",
               ~linked_to_message, ~linked_to_inquiry)
        .order_by(RawMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return purge_raw_mail(session, list(session.execute(query).scalars()))


def purge_closed_tickets(sessions: sessionmaker[Session], store: AttachmentStore | None, retention_days: int,
                         now: datetime, *, batch: int = 100, keep_going: Callable[[], bool] = lambda: True) -> Counter:
    """Purge every ticket closed more than ``retention_days`` before ``now``, ``batch`` tickets per commit.

    ``keep_going`` is asked before each batch (a shutdown stops between batches, not inside one).
    """
    cutoff = now - timedelta(days=retention_days)
    totals: Counter = Counter()
    while keep_going():
        with sessions() as session:
            ticket_ids = due_ticket_ids(session, cutoff, batch)
            if not ticket_ids:
                break
            totals += purge_tickets(session, store, ticket_ids, now, retention_days)
            session.commit()
        if len(ticket_ids) < batch:
            break
    while keep_going():
        with sessions() as session:
            purged = purge_unlinked_raw_mail(session, cutoff, batch)
            session.commit()
        totals["unlinked_raw_mails"] += purged
        if purged < batch:
            break
    return totals


class RetentionJob(PeriodicJob):
    """The hourly job (bot/app/service.py ``periodic_jobs``); stops between batches when the service stops."""

    def __init__(self, sessions: sessionmaker[Session], store: AttachmentStore | None, retention_days: int,
                 clock: Callable[[], datetime], *, batch: int = 100, interval_s: float = 3600.0):
        super().__init__("retention", interval_s, self.purge)
        self._sessions, self._store, self._days, self._clock, self._batch = sessions, store, retention_days, clock, batch

    def purge(self) -> str | None:
        """One pass; a one-line summary when something was purged (PeriodicJob logs it)."""
        counts = purge_closed_tickets(self._sessions, self._store, self._days, self._clock(), batch=self._batch,
                                      keep_going=lambda: not self._stopping.is_set())
        if not counts["tickets"] and not counts["unlinked_raw_mails"]:
            return None
        return (f"purged {counts['tickets']} tickets closed over {self._days} days ago: {counts['messages']} message "
                f"bodies, {counts['raw_mails']} raw mails, {counts['attachments']} attachments; "
                f"{counts['unlinked_raw_mails']} raw mails linked to nothing")
