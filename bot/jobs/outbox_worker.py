"""Outbox delivery: claim due rows, deliver each by kind, settle with retries or failure.

A claim is committed before delivery, so a crash mid-send leaves a claimed row
whose lease runs out and another worker retries it: at most one duplicate per
crash, carrying the same Message-ID (see README, "Delivery guarantees"). The
lease is short (``outbox.claim_lease_s``) and renewed while the delivery runs
(bot/jobs/claim_keeper.py), so a dead worker's rows are retaken within it and a
slow delivery is not.

Rows that wait for another delivery are not claimed until it is done: a card's
thread posts follow the card (storage/repositories/slack_queue.py,
``waiting_for_card``) instead of failing against it and backing off.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.jobs.claim_keeper import ClaimKeeper
from bot.jobs.outbox import Deliverer, GiveUp, RetryLater, RetryPolicy
from storage.models import OutboxRow, Ticket
from storage.repositories import events, outbox, slack_queue
from storage.repositories.outbox_keys import fit_key

log = logging.getLogger("supportbot.outbox")


class OutboxWorker:
    """One worker; several may run, in one process or many, without double delivery."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        deliverers: dict[str, Deliverer],
        clock: Callable[[], datetime],
        *,
        worker_id: str,
        policy: RetryPolicy = RetryPolicy(),
        rng: random.Random | None = None,
        lease: timedelta = timedelta(seconds=30),
        on_failed: Callable[[Session, OutboxRow, str, datetime], None] | None = None,
    ):
        self._sessions = session_factory
        self._deliverers = deliverers
        self._clock = clock
        self.worker_id = worker_id
        self._policy = policy
        self._rng = rng or random.Random()
        self._lease = lease
        self._keeper = ClaimKeeper(session_factory, worker_id, lease, clock)
        self._on_failed = on_failed or record_failure
        self._held = slack_queue.waiting_for_card() if set(slack_queue.THREAD_KINDS) & set(deliverers) else None

    def run_once(self, limit: int = 20) -> int:
        """Claim and deliver up to ``limit`` due rows; return how many were claimed."""
        with self._sessions() as session:
            rows = outbox.claim_due(
                session, self._clock(), self.worker_id, limit=limit, lease=self._lease, kinds=tuple(self._deliverers),
                held=self._held)
            session.commit()
        with self._keeper.holding(row.id for row in rows) as settled:
            for row in rows:
                self._deliver(row)
                settled(row.id)
        return len(rows)

    def _deliver(self, row: OutboxRow) -> None:
        with self._sessions() as session:
            try:
                result = self._deliverers[row.kind](row, session)
            except RetryLater as exc:
                session.rollback()
                self._retry_or_fail(session, row, str(exc), after=exc.after)
            except GiveUp as exc:
                session.rollback()
                self._fail(session, row, str(exc))
            except Exception as exc:  # a deliverer bug must not wedge the queue
                log.exception("outbox %s %s: unexpected error", row.kind, row.id)
                session.rollback()
                self._retry_or_fail(session, row, f"{type(exc).__name__}: {exc}")
            else:
                if outbox.mark_sent(session, row.id, self.worker_id, self._clock(), result):
                    log.info("outbox %s %s delivered", row.kind, row.idempotency_key)
                else:
                    log.warning("outbox %s: claim lost before settling; another worker owns it", row.id)
            session.commit()

    def _retry_or_fail(self, session: Session, row: OutboxRow, error: str, after: float | None = None) -> None:
        now = self._clock()
        if (now - row.created_at).total_seconds() > self._policy.horizon_s:
            self._fail(session, row, f"gave up after {row.attempts} attempts: {error}")
            return
        delay = after if after is not None else self._policy.delay(row.attempts, self._rng)
        outbox.mark_retry(session, row.id, self.worker_id, now + timedelta(seconds=delay), error)
        log.warning("outbox %s %s: temporary failure, retry in %.0f s: %s", row.kind, row.id, delay, error)

    def _fail(self, session: Session, row: OutboxRow, error: str) -> None:
        if outbox.mark_failed(session, row.id, self.worker_id, error):
            log.error("outbox %s %s failed for good: %s", row.kind, row.idempotency_key, error)
            self._on_failed(session, row, error, self._clock())


def record_failure(session: Session, row: OutboxRow, error: str, now: datetime) -> None:
    """Default: a failed delivery is documented on its ticket and raised to staff."""
    if row.ticket_id is not None:
        ticket = session.get(Ticket, row.ticket_id)
        events.record_event(session, ticket, "delivery_failed", now, outbox_kind=row.kind, key=row.idempotency_key,
                            error=error[:500])
    # Staff hear of it in Slack (alerts channel) once the Slack desk delivers
    # "slack.alert" rows; the row is keyed so the alert is raised once.
    outbox.enqueue(
        session, "slack.alert", f"alert:delivery_failed:{row.id}",
        {"text": f"Delivery of {row.kind} {fit_key(row.idempotency_key)} failed: {error[:300]}"}, now,
        ticket_id=row.ticket_id,
    )
