"""Outbox: idempotent enqueue, claiming with leases, settling, concurrent workers."""

import threading
from datetime import timedelta

from storage.models import OutboxRow
from storage.repositories import outbox


def _fill(session_factory, now, count):
    with session_factory() as session:
        for number in range(count):
            outbox.enqueue(session, "email", f"key-{number}", {"n": number}, now)
        session.commit()


def test_same_key_twice_is_queued_once(session, now):
    assert outbox.enqueue(session, "email", "ticket-1:ack", {"to": "a@b"}, now)
    assert not outbox.enqueue(session, "email", "ticket-1:ack", {"to": "other@b"}, now)
    session.commit()
    assert [row.payload for row in session.query(OutboxRow)] == [{"to": "a@b"}]


def test_claim_takes_due_rows_oldest_first_and_skips_future_ones(session, now):
    outbox.enqueue(session, "email", "later", {}, now, not_before=now + timedelta(minutes=5))
    outbox.enqueue(session, "email", "first", {}, now - timedelta(minutes=1))
    outbox.enqueue(session, "email", "second", {}, now)
    session.commit()
    rows = outbox.claim_due(session, now, "w1")
    session.commit()
    assert [row.idempotency_key for row in rows] == ["first", "second"]
    assert all(row.state == "sending" and row.attempts == 1 and row.claimed_by == "w1" for row in rows)
    assert outbox.claim_due(session, now, "w2") == []


def test_expired_claim_is_taken_over_and_the_old_worker_cannot_settle(session, now):
    outbox.enqueue(session, "email", "k", {}, now)
    session.commit()
    [row] = outbox.claim_due(session, now, "dead-worker", lease=timedelta(minutes=5))
    session.commit()
    assert outbox.claim_due(session, now + timedelta(minutes=4), "w2") == []
    [again] = outbox.claim_due(session, now + timedelta(minutes=6), "w2")
    session.commit()
    assert again.id == row.id and again.attempts == 2
    assert not outbox.mark_sent(session, row.id, "dead-worker", now)
    assert outbox.mark_sent(session, row.id, "w2", now, {"ts": "1.2"})
    session.commit()
    session.expire_all()
    assert session.get(OutboxRow, row.id).state == "sent"


def test_retry_failed_and_operator_retry(session, now):
    outbox.enqueue(session, "email", "k", {}, now)
    session.commit()
    [row] = outbox.claim_due(session, now, "w")
    assert outbox.mark_retry(session, row.id, "w", now + timedelta(seconds=30), "451 try later")
    session.commit()
    assert outbox.claim_due(session, now, "w") == []
    [row] = outbox.claim_due(session, now + timedelta(seconds=31), "w")
    assert outbox.mark_failed(session, row.id, "w", "550 no such user")
    session.commit()
    assert outbox.depth(session) == (0, None)
    assert outbox.retry_now(session, row.id, now)
    session.commit()
    count, oldest = outbox.depth(session)
    assert count == 1 and oldest == now


def test_concurrent_workers_never_claim_the_same_row(session_factory, now):
    _fill(session_factory, now, 90)
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def work(name):
        ids = claimed.setdefault(name, [])
        barrier.wait()
        with session_factory() as session:
            while rows := outbox.claim_due(session, now, name, limit=3):
                ids.extend(row.id for row in rows)
                session.commit()

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [row_id for ids in claimed.values() for row_id in ids]
    assert len(everything) == 90 and len(set(everything)) == 90


def test_rows_locked_by_an_open_claim_are_skipped(session_factory, now):
    _fill(session_factory, now, 10)
    holder = session_factory()
    first = {row.id for row in outbox.claim_due(holder, now, "a", limit=5)}  # transaction left open
    result: dict[str, set[int]] = {}

    def other():
        with session_factory() as session:
            result["b"] = {row.id for row in outbox.claim_due(session, now, "b", limit=5)}
            session.commit()

    thread = threading.Thread(target=other)
    thread.start()
    if holder.get_bind().dialect.name == "postgresql":
        # SKIP LOCKED: the second worker neither waits for nor takes the held rows.
        thread.join(timeout=10)
        assert not thread.is_alive()
    holder.commit()
    holder.close()
    thread.join(timeout=30)
    assert len(first) == 5 and len(result["b"]) == 5 and not first & result["b"]
