"""The intake worker sweeps up mail left stored and unprocessed: orphans on a short round, all of it on takeover."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.app.config import Settings
from bot.intake.mail_runner import IntakeProcessor
from bot.intake.mail_worker import IntakeWorker
from storage.models import RawMessage
from storage.repositories import raw_messages
from tests.handlers.conftest import mail
from tests.support.service_loop import poll_until


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def store(session_factory, sender: str, stored_at: datetime) -> int:
    """A mail as an edge stores it (and, here, never hands it to a worker: its process died)."""
    with session_factory() as session:
        [raw_id] = raw_messages.store_many(session, [raw_messages.row(
            mail(sender=sender, subject="Hej"), f"<{sender}>", "smtp", stored_at)])
        session.commit()
        return raw_id


def state(session_factory, raw_id: int) -> str:
    with session_factory() as session:
        return session.execute(select(RawMessage.state).where(RawMessage.id == raw_id)).scalar_one()


def test_orphans_are_swept_on_a_short_round_fresh_mail_only_on_takeover(session_factory, tmp_path):
    settings = Settings.model_validate({"desk": {"attachments_dir": str(tmp_path / "attachments")}})
    sweeps: list[Counter] = []
    worker = IntakeWorker(IntakeProcessor(session_factory, settings, utc_now), sweeps.append,
                          sweep_interval_s=0.05, orphaned_after_s=10)
    thread = threading.Thread(target=worker.run_blocking, daemon=True)
    thread.start()
    try:
        poll_until(lambda: sweeps, what="the sweep at start")
        orphan = store(session_factory, "orphan@elsewhere.example", utc_now() - timedelta(seconds=11))
        fresh = store(session_factory, "fresh@elsewhere.example", utc_now())
        poll_until(lambda: state(session_factory, orphan) == "processed", what="the orphan swept up")
        rounds = len(sweeps)
        poll_until(lambda: len(sweeps) >= rounds + 5, what="five more rounds")
        assert state(session_factory, fresh) == "received"  # a live replica may be about to process it

        worker.sweep_soon()  # this replica took the mailbox over: its last holder's mail is ours now
        poll_until(lambda: state(session_factory, fresh) == "processed", what="the takeover sweep")
    finally:
        worker.stop()
        thread.join(10)
    assert not thread.is_alive()
