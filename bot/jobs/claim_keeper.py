"""Short outbox claims, renewed while their deliveries run.

A claim is a lease (``claimed_until``) so that the rows of a worker that died
mid-delivery are retaken by another; the shorter the lease, the sooner. The
fixed 5-minute lease left an inquiry notice 300 s behind a replica killed with
SIGKILL. A short lease must not let a slow delivery — a relay that hangs until
its timeout, the last rows of a long batch — be retaken and sent twice while it
still runs, so a keeper thread renews every claim its worker holds, every
lease/3, on its own connection, until the row is settled. Only a worker that
can no longer renew (its process frozen, or the database out of its reach, for
a whole lease) can lose a claim it is still delivering; that is logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.repositories import outbox

log = logging.getLogger("supportbot.outbox")


class ClaimKeeper:
    """Renews one worker's claims; its thread runs only while the worker holds some."""

    def __init__(self, sessions: sessionmaker[Session], worker_id: str, lease: timedelta,
                 clock: Callable[[], datetime]):
        self._sessions = sessions
        self._worker_id = worker_id
        self._lease = lease
        self._clock = clock
        self.every_s = lease.total_seconds() / 3
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._tick = threading.Event()  # never set: waited on for its timeout

    @contextmanager
    def holding(self, row_ids: Iterable[int]) -> Iterator[Callable[[int], None]]:
        """Keep the claims on ``row_ids`` renewed inside the block; call the yielded function once a row settled."""
        ids = set(row_ids)
        with self._lock:
            self._held |= ids
            if self._held and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="outbox-claims", daemon=True)
                self._thread.start()
        try:
            yield self._settled
        finally:
            with self._lock:
                self._held -= ids

    def renew(self) -> None:
        """Extend every claim held now to a full lease from now."""
        with self._lock:
            ids = sorted(self._held)
        if not ids:
            return
        try:
            with self._sessions() as session:
                renewed = outbox.renew_claims(session, ids, self._worker_id, self._clock() + self._lease)
                lost = outbox.claimed_elsewhere(session, ids, self._worker_id) if renewed < len(ids) else []
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("outbox claims %s not renewed (%s); they lapse %g s after the last renewal", ids,
                        type(exc).__name__, self._lease.total_seconds())
            return
        for row_id in lost:
            log.warning("outbox %s: claim lost while delivering; another worker may deliver it too", row_id)

    def _settled(self, row_id: int) -> None:
        with self._lock:
            self._held.discard(row_id)

    def _run(self) -> None:
        while True:
            self._tick.wait(self.every_s)
            with self._lock:
                if not self._held:
                    self._thread = None
                    return
            self.renew()
