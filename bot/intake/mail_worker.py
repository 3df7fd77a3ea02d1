"""The one thread that runs the mail pipeline: stored ids from the edges in arrival order, plus the sweeps."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from bot.jobs.components import ThreadComponent

log = logging.getLogger("supportbot.service")


class IntakeWorker(ThreadComponent):
    """The one thread that runs the pipeline: ids from the edges in arrival order, plus the sweeps.

    Mail left ``received`` (stored by a process that died before processing it,
    or handed over and lost with a crashed batch) is swept up: all of it at start
    and whenever this replica takes the mailbox lease over (``sweep_soon``: the
    last holder's stored mail waited for the minute's sweep before), and every
    ``sweep_interval_s`` what has waited ``orphaned_after_s`` (mail another
    replica took in by SMTP and died with), never what a live worker just got.
    """

    name = "intake"
    stop_order = 1

    def __init__(self, processor, on_done: Callable[[Counter], None], *, sweep_interval_s: float = 15.0,
                 orphaned_after_s: float = 10.0):
        self._processor = processor
        self._on_done = on_done
        self._sweep_s = sweep_interval_s
        self._orphaned_after = timedelta(seconds=orphaned_after_s)
        self._queue: queue.Queue[list[int] | str | None] = queue.Queue()

    def submit(self, ids: Iterable[int]) -> None:
        """Hand over stored mail (thread-safe; the edges call this after their commit)."""
        self._queue.put(list(ids))

    def stored_from(self, source: str, stored_counter) -> Callable[[list[int]], None]:
        """What an edge calls after its commit: count the mail (``supportbot_mail_stored_total{source}``),
        then hand the ids over."""
        def on_stored(ids: list[int]) -> None:
            stored_counter.labels(source).inc(len(ids))
            self.submit(ids)
        return on_stored

    def sweep_soon(self) -> None:
        """Sweep all stored, unprocessed mail next (thread-safe): this replica took the mailbox over."""
        self._queue.put(_SWEEP)

    def stop(self) -> None:
        self._queue.put(None)  # after everything the edges handed over before they stopped

    def run_blocking(self) -> None:
        self._sweep()  # at start, and after a crash: the crashed batch is still `received`
        next_sweep = time.monotonic() + self._sweep_s
        while True:
            try:
                ids = self._queue.get(timeout=max(0.0, next_sweep - time.monotonic()))
            except queue.Empty:
                self._sweep(self._orphaned_after)
                next_sweep = time.monotonic() + self._sweep_s
                continue
            if ids is None:
                self._drain()
                return
            if ids == _SWEEP:
                self._sweep()
                continue
            self._on_done(self._processor.process_ids(ids))

    def _sweep(self, older_than: timedelta | None = None) -> None:
        counts = self._processor.process_pending(older_than=older_than)
        if counts:
            log.info("intake sweep: %s", ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
        self._on_done(counts)

    def _drain(self) -> None:
        while True:
            try:
                ids = self._queue.get_nowait()
            except queue.Empty:
                return
            if ids and ids != _SWEEP:
                self._on_done(self._processor.process_ids(ids))


_SWEEP = "sweep"  # on the intake queue: sweep everything stored now


def count_and_wake(count_outcomes: Callable[[str, Counter], None], wake: threading.Event) -> Callable[[Counter], None]:
    """After each intake run: count the outcomes, and wake the outbox worker when anything was processed
    (answers and alerts were just queued, so they leave within milliseconds, not at the next poll)."""
    def after_intake(counts: Counter) -> None:
        count_outcomes("email", counts)
        if sum(counts.values()):
            wake.set()
    return after_intake
