"""The outbox worker as a supervised thread, woken when the intake has just queued something."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.jobs.components import ThreadComponent
from bot.jobs.outbox import Deliverer, RetryPolicy
from bot.jobs.outbox_worker import OutboxWorker


class OutboxLoop(ThreadComponent):
    """Delivers due outbox rows: at once when woken, else every ``idle_s``."""

    name = "outbox"
    stop_order = 2

    def __init__(self, worker: OutboxWorker, *, idle_s: float = 0.5):
        self._worker = worker
        self._idle_s = idle_s
        self._stopping = threading.Event()
        self.wake = threading.Event()

    def run_blocking(self) -> None:
        while not self._stopping.is_set():
            # One row per claim: at shutdown only the row in hand is finished,
            # and none sits claimed (unsent) until its lease runs out.
            if self._worker.run_once(limit=1):
                continue
            self.wake.wait(self._idle_s)
            self.wake.clear()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()


def outbox_loop(settings: Settings, sessions: sessionmaker[Session], deliverers: dict[str, Deliverer],
                clock: Callable[[], datetime]) -> OutboxLoop:
    """One worker of this process (named host:pid in its claims), with the retry and lease settings."""
    smtp = settings.smtp
    return OutboxLoop(OutboxWorker(
        sessions, deliverers, clock, worker_id=f"{socket.gethostname()}:{os.getpid()}",
        policy=RetryPolicy(smtp.retry_base_s, smtp.retry_max_s, smtp.retry_horizon_s),
        lease=timedelta(seconds=settings.outbox.claim_lease_s)))
