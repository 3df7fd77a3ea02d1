"""One poller per mailbox across replicas: a lease row in the database, and the loop that honours it.

Several ``supportbot run`` processes may share one PostgreSQL. Each wants to poll
the mailbox; only the holder of its lease does. The lease is a row in
``leases`` (name = the mailbox, holder, expires_at), taken or renewed by one
atomic ``UPDATE … WHERE name = :mailbox AND (holder = :me OR expires_at < now)``
or, the first time, an ``INSERT … ON CONFLICT DO NOTHING``. Under PostgreSQL's
row locks two contenders for an expired lease cannot both win: the second
UPDATE waits for the first, re-reads the row, and no longer matches.

Why a row and not ``pg_advisory_lock`` on a dedicated connection: the row works
on SQLite too (one code path for the embedded default and production); it
survives a connection blip or a pooler (PgBouncer in transaction mode breaks
session-level advisory locks) instead of flipping on every reconnect; and it
is visible — ``SELECT * FROM leases`` says who polls and until when. The price is
a bounded takeover time instead of an instant one, which a mailbox can afford.

Timing (``lease_s`` = L, default 30 s): the holder renews every L/3. Expiry is
computed by the database's clock on PostgreSQL (replicas on different hosts
need not agree on the time) and by the host's on SQLite (one file, one host).
When the holder dies, its lease ends at most L after its last renewal, and a
standby tries every L/3, so **another replica polls within L + L/3** (40 s by
default) of the holder's death. A clean stop deletes the row, so a standby
takes over within L/3. A holder whose renewal fails stops polling promptly:
at once when another replica holds the lease, and after a database error once
fewer than L/3 seconds of its lease are left, so the poller has that long to
wind down before anyone else may start. Should two pollers ever overlap, the
Message-ID dedupe and the monotonic cursor still store each mail once; the
lease keeps the work single, the dedupe keeps it correct.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, literal, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Lease, UtcDateTime
from storage.repositories.upsert import insert_ignoring_conflict

log = logging.getLogger("supportbot.imap.lease")


def new_holder_id() -> str:
    """This process, unique even for two processes on one host: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _clock(session: Session, lease_s: float):
    """(now, now + lease) as SQL expressions on the clock every replica shares."""
    if session.get_bind().dialect.name == "postgresql":
        return func.now(), func.now() + timedelta(seconds=lease_s)
    now = datetime.now(timezone.utc)
    return literal(now, UtcDateTime()), literal(now + timedelta(seconds=lease_s), UtcDateTime())


def take_or_renew(session: Session, name: str, holder: str, lease_s: float) -> bool:
    """Hold lease ``name`` for ``lease_s`` more seconds if it is free, expired or already ours; the caller commits."""
    now, until = _clock(session, lease_s)
    renewed = session.execute(
        update(Lease)
        .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at < now))
        .values(holder=holder, expires_at=until)
        .execution_options(synchronize_session=False)
    ).rowcount
    if renewed:
        return True
    # No row yet (or another holder's, still valid: then the insert conflicts and does nothing).
    expires_at = session.execute(select(until)).scalar_one()
    return insert_ignoring_conflict(session, Lease, {"name": name, "holder": holder, "expires_at": expires_at}) \
        is not None


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lease up if we hold it; the caller commits."""
    return session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder)).rowcount == 1


def current_holder(session: Session, name: str) -> str | None:
    """Who holds lease ``name`` (expired or not), for logs."""
    return session.execute(select(Lease.holder).where(Lease.name == name)).scalar_one_or_none()


class MailboxLease:
    """The lease on one mailbox for this process; knows locally how long it still holds it."""

    def __init__(self, sessions: sessionmaker[Session], name: str, lease_s: float, holder: str | None = None):
        self._sessions = sessions
        self.name = name
        self.lease_s = lease_s
        self.renew_every_s = lease_s / 3
        self.holder = holder or new_holder_id()
        self._valid_until = 0.0  # time.monotonic(); measured from *before* the statement, so never late

    def acquire(self) -> bool:
        """Take or renew the lease; True while we hold it. Database errors propagate."""
        asked_at = time.monotonic()
        with self._sessions() as session:
            held = take_or_renew(session, self.name, self.holder, self.lease_s)
            session.commit()
        self._valid_until = asked_at + self.lease_s if held else 0.0
        return held

    def remaining_s(self) -> float:
        """Seconds of the lease left by our own reckoning (0 when not held)."""
        return max(0.0, self._valid_until - time.monotonic())

    def release(self) -> None:
        """Give the lease up (clean stop); a failure only means it expires on its own."""
        self._valid_until = 0.0
        try:
            with self._sessions() as session:
                release(session, self.name, self.holder)
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("imap lease %s: not released (%s); it expires within %g s", self.name,
                        type(exc).__name__, self.lease_s)

    def other_holder(self) -> str | None:
        with self._sessions() as session:
            return current_holder(session, self.name)


class LeasedPoller:
    """Runs ``poller.run()`` only while this process holds the mailbox's lease; a standby otherwise.

    The poller runs in the calling thread; a keeper thread renews the lease every
    ``renew_every_s`` and stops the poller when the lease is lost. ``on_taken`` is
    called each time the lease is taken (the service sweeps up the mail the last
    holder stored and did not process).
    """

    def __init__(self, poller, lease: MailboxLease, on_taken: Callable[[], None] | None = None):
        self.poller = poller
        self.lease = lease
        self._on_taken = on_taken or (lambda: None)
        self.role = "starting"  # holder | standby | starting
        self.last_error: str | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        """Until ``stop()``: take the lease when free, poll while held, stand by otherwise."""
        try:
            while not self._stopping.is_set():
                if self._try_take():
                    self._poll_while_held()
                else:
                    self._stopping.wait(self.lease.renew_every_s)
        finally:
            if self.role == "holder" or self.lease.remaining_s() > 0:
                self.lease.release()
            self.role = "starting"

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            self.poller.stop()

    def _try_take(self) -> bool:
        try:
            held = self.lease.acquire()
        except SQLAlchemyError as exc:
            self.last_error = f"lease: database unavailable: {type(exc).__name__}"
            log.warning("imap %s: %s; retrying in %.1f s", self.lease.name, self.last_error, self.lease.renew_every_s)
            return False
        self.last_error = None
        if not held and self.role != "standby":
            log.info("imap %s: standby, the lease is held by %s", self.lease.name, self._holder_for_log())
            self.role = "standby"
        return held

    def _poll_while_held(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            self.poller.stop_event.clear()
        log.info("imap %s: lease taken by %s for %g s; polling", self.lease.name, self.lease.holder,
                 self.lease.lease_s)
        self.role = "holder"
        self._on_taken()
        keeper = threading.Thread(target=self._keep, name="imap-lease", daemon=True)
        keeper.start()
        try:
            self.poller.run()
        finally:
            self.poller.stop()  # wakes the keeper, also when the poller crashed
            keeper.join()

    def _keep(self) -> None:
        """Renew every ``renew_every_s`` while the poller runs; stop it when the lease is lost."""
        lease = self.lease
        while not self.poller.stop_event.wait(lease.renew_every_s):
            try:
                if lease.acquire():
                    continue
                log.warning("imap %s: lease lost to %s; polling stops", lease.name, self._holder_for_log())
            except SQLAlchemyError as exc:
                if lease.remaining_s() > lease.renew_every_s:
                    log.warning("imap %s: lease renewal failed (%s); %.1f s left", lease.name,
                                type(exc).__name__, lease.remaining_s())
                    continue
                log.warning("imap %s: lease could not be renewed in time (%s); polling stops", lease.name,
                            type(exc).__name__)
            self.role = "standby"
            self.poller.stop()
            return

    def _holder_for_log(self) -> str:
        try:
            return self.lease.other_holder() or "nobody"
        except SQLAlchemyError:
            return "(unknown)"
