"""Outbox claims are short leases renewed while the delivery runs: a slow delivery is never retaken."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from bot.jobs.outbox_worker import OutboxWorker
from storage.models import OutboxRow
from storage.repositories import outbox

LEASE = timedelta(seconds=1.5)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SlowDelivery:
    """A deliverer that takes as long as the test says (a relay that hangs until its timeout)."""

    def __init__(self):
        self.started, self.release, self.calls = threading.Event(), threading.Event(), 0

    def __call__(self, row, session) -> dict:
        self.calls += 1
        self.started.set()
        assert self.release.wait(30)
        return {"delivered": True}


def queued(session_factory) -> int:
    with session_factory() as session:
        outbox.enqueue(session, "email", "mail:slow", {"to": "kund@example.com"}, utc_now())
        session.commit()
        return session.query(OutboxRow).one().id


def in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_a_delivery_that_outlives_its_lease_is_not_retaken_while_it_runs(session_factory):
    row_id = queued(session_factory)
    slow, other_delivery = SlowDelivery(), SlowDelivery()
    worker = OutboxWorker(session_factory, {"email": slow}, utc_now, worker_id="slow", lease=LEASE)
    other = OutboxWorker(session_factory, {"email": other_delivery}, utc_now, worker_id="other", lease=LEASE)
    delivering = in_thread(worker.run_once)
    assert slow.started.wait(10)

    deadline = time.monotonic() + 3 * LEASE.total_seconds()  # three leases long, renewed every lease/3
    while time.monotonic() < deadline:
        assert other.run_once() == 0
        time.sleep(0.05)
    slow.release.set()
    delivering.join(10)
    with session_factory() as session:
        row = session.get(OutboxRow, row_id)
    assert (row.state, row.claimed_by, row.attempts, other_delivery.calls) == ("sent", "slow", 1, 0)


def test_a_claim_another_worker_took_is_reported_and_not_settled_twice(session_factory, caplog):
    row_id = queued(session_factory)
    slow = SlowDelivery()
    worker = OutboxWorker(session_factory, {"email": slow}, utc_now, worker_id="frozen", lease=LEASE)
    delivering = in_thread(worker.run_once)
    assert slow.started.wait(10)
    with session_factory() as session:  # what another worker's claim does once this one's lapsed
        session.execute(update(OutboxRow).where(OutboxRow.id == row_id).values(claimed_by="thawed"))
        session.commit()

    with caplog.at_level(logging.WARNING, logger="supportbot.outbox"):
        deadline = time.monotonic() + 2 * LEASE.total_seconds()
        while "claim lost while delivering" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        slow.release.set()
        delivering.join(10)
    assert f"outbox {row_id}: claim lost while delivering" in caplog.text
    assert f"outbox {row_id}: claim lost before settling" in caplog.text
    with session_factory() as session:
        row = session.get(OutboxRow, row_id)
    assert (row.state, row.claimed_by) == ("sending", "thawed")  # the new holder settles it
