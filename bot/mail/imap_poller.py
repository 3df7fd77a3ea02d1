"""IMAP poller: fetch everything past the stored cursor, commit it, flag it, then IDLE.

Runs in its own thread because imapclient blocks. Connection trouble of any kind
means: log the reason, back off (capped, jittered), reconnect and resume from the
committed cursor — so no mail is missed and, with Message-ID dedupe, none is
handled twice.
"""

from __future__ import annotations

import imaplib
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import ImapSettings
from bot.mail.in_flight import InFlightBudget
from bot.mail.raw_store import FetchedMail, store_batch
from storage.repositories import cursors

log = logging.getLogger("supportbot.imap")

SEEN = b"\\Seen"
CONNECTION_ERRORS = (OSError, imaplib.IMAP4.abort, imaplib.IMAP4.error, IMAPClientError, ssl.SSLError, EOFError)


class Backoff:
    """Capped exponential backoff with full jitter (AWS architecture blog's variant)."""

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None):
        self.base_s, self.cap_s, self._rng, self.failures = base_s, cap_s, rng or random.Random(), 0

    def next_delay(self) -> float:
        """The delay before the next attempt; grows with each failure."""
        self.failures += 1
        return self._rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


class ImapPoller:
    """One mailbox folder, read from the cursor on, pushed by IDLE or polled.

    ``run_store`` runs each batch's store (default: right here); `mail fetch
    --once` passes one that hands it to the processing thread, so that a single
    thread writes to the database (bot/mail/backlog.py).
    """

    def __init__(
        self,
        settings: ImapSettings,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        on_stored: Callable[[list[int]], None] = lambda ids: None,
        *,
        run_store: Callable[[Callable[[], list[int]]], list[int]] = lambda store: store(),
        backoff: Backoff | None = None,
        auth_retry_s: float = 300.0,
        idle_check_s: float = 1.0,
        budget: InFlightBudget | None = None,
    ):
        self._settings = settings
        self._sessions = session_factory
        self._clock = clock
        self._on_stored = on_stored
        self._run_store = run_store
        self._backoff = backoff or Backoff(1.0, 60.0)
        self._auth_retry_s = auth_retry_s
        self._idle_check_s = idle_check_s
        self._budget = budget
        self.mailbox = f"{settings.username}@{settings.host}/{settings.folder}"
        self.stop_event = threading.Event()
        self.connected = threading.Event()
        self.last_error: str | None = None
        self.sessions_started = 0
        self.idle_sessions = 0  # IDLE commands issued (for tests and /metrics)
        self.polls = 0  # polling rounds without IDLE

    # -- lifecycle -----------------------------------------------------------

    def run(self) -> None:
        """Poll until ``stop()``; never raises for server, network or database trouble."""
        while not self.stop_event.is_set():
            try:
                self._session()
            except LoginError as exc:
                self._pause(f"login refused for {self._settings.username!r}: {_first_line(exc)}", self._auth_retry_s)
            except SQLAlchemyError as exc:
                self._pause(f"database unavailable: {type(exc).__name__}", self._backoff.next_delay())
            except CONNECTION_ERRORS as exc:
                self._pause(f"connection lost: {type(exc).__name__}: {_first_line(exc)}", self._backoff.next_delay())
            finally:
                self.connected.clear()

    def stop(self) -> None:
        """Ask the poller to finish; it notices within ``idle_check_s``."""
        self.stop_event.set()

    def _pause(self, reason: str, delay: float) -> None:
        self.last_error = reason
        log.warning("imap %s: %s; retrying in %.1f s", self.mailbox, reason, delay)
        self.stop_event.wait(delay)

    def fetch_once(self) -> int:
        """Connect, store what is new, disconnect (`supportbot mail fetch --once`); errors propagate."""
        client = self._connect()
        try:
            uidvalidity = client.select_folder(self._settings.folder)[b"UIDVALIDITY"]
            return self.fetch_new(client, uidvalidity)
        finally:
            _close_quietly(client)

    # -- one connection ------------------------------------------------------

    def _session(self) -> None:
        client = self._connect()
        try:
            uidvalidity = client.select_folder(self._settings.folder)[b"UIDVALIDITY"]
            self.sessions_started += 1
            self.connected.set()
            self._backoff.reset()
            self.last_error = None
            can_idle = self._settings.use_idle and client.has_capability("IDLE")
            while not self.stop_event.is_set():
                self.fetch_new(client, uidvalidity)
                if _exists_reported(client):
                    continue  # mail arrived while we fetched: IDLE would not announce it again
                if can_idle:
                    self.idle_sessions += 1
                    self._idle(client)
                else:
                    self.polls += 1
                    self.stop_event.wait(self._settings.poll_interval_s)
                    client.noop()
        finally:
            _close_quietly(client)

    def _connect(self) -> IMAPClient:
        settings = self._settings
        context = ssl.create_default_context()
        if not settings.verify_certificates:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        client = IMAPClient(
            settings.host, port=settings.port, ssl=settings.security == "ssl", ssl_context=context,
            timeout=settings.timeout_s,
        )
        # Without TCP_NODELAY small commands wait on delayed ACKs (~40 ms each).
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if settings.security == "starttls":
            client.starttls(context)
        client.login(settings.username, settings.password.get_secret_value())
        return client

    def fetch_new(self, client: IMAPClient, uidvalidity: int) -> int:
        """Store every mail past the cursor, in batches; return how many were new."""
        with self._sessions() as session:
            cursor = cursors.load(session, self.mailbox)
        last_uid = cursor.last_uid if cursor and cursor.uidvalidity == uidvalidity else 0
        if cursor and cursor.uidvalidity != uidvalidity:
            # The server renumbered the folder: read it all again; the
            # Message-ID dedupe keeps anything from being handled twice.
            log.warning("imap %s: UIDVALIDITY %s → %s, resyncing", self.mailbox, cursor.uidvalidity, uidvalidity)
        # "n:*" always matches the highest UID even when it is below n (RFC 3501).
        uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
        stored = 0
        for start in range(0, len(uids), self._settings.batch_size):
            for batch, size in self._within_budget(client, uids[start:start + self._settings.batch_size]):
                share = self._budget.reserve(size, self.stop_event) if self._budget is not None else 0
                if share is None:
                    return stored  # stopping: the rest stays past the cursor for the next session
                try:
                    fetched = client.fetch(batch, ["BODY.PEEK[]"])
                    mails = [FetchedMail(raw=fetched[uid][b"BODY[]"], uid=uid) for uid in batch if uid in fetched]
                    del fetched
                    ids = self._run_store(partial(
                        store_batch, self._sessions, mails, "imap", self._clock(), mailbox=self.mailbox,
                        cursor=(uidvalidity, batch[-1]),
                    ))
                finally:
                    if self._budget is not None:
                        self._budget.release(share)
                self._mark_processed(client, batch)  # only after the commit above
                stored += len(ids)
                if ids:
                    self._on_stored(ids)
        return stored

    def _within_budget(self, client: IMAPClient, batch: list[int]) -> list[tuple[list[int], int]]:
        """``batch`` cut into runs of consecutive UIDs of at most a quarter of the in-flight budget each
        (by RFC822.SIZE), with their sizes; the whole batch when there is no budget.

        A quarter leaves room for the SMTP ingress while the poller works through a backlog of big mail.
        """
        if self._budget is None:
            return [(batch, 0)]
        sizes = client.fetch(batch, ["RFC822.SIZE"])
        cap = max(1, self._budget.limit // 4)
        runs: list[tuple[list[int], int]] = []
        current: list[int] = []
        total = 0
        for uid in batch:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if current and total + size > cap:
                runs.append((current, total))
                current, total = [], 0
            current.append(uid)
            total += size
        if current:
            runs.append((current, total))
        return runs

    def _mark_processed(self, client: IMAPClient, uids: list[int]) -> None:
        if self._settings.mark_seen:
            client.add_flags(uids, [SEEN], silent=True)
        if self._settings.processed_folder:
            client.move(uids, self._settings.processed_folder)

    def _idle(self, client: IMAPClient) -> None:
        client.idle()
        renew_at = time.monotonic() + self._settings.idle_renew_s
        while not self.stop_event.is_set() and time.monotonic() < renew_at:
            asked_at = time.monotonic()
            responses = client.idle_check(timeout=self._idle_check_s)
            if not responses and time.monotonic() - asked_at < self._idle_check_s / 2:
                # imapclient answers [] both for "nothing yet" and for a socket
                # at EOF; only the latter comes back before the timeout. An
                # exception here leaves IDLE unfinished: run() reconnects.
                raise imaplib.IMAP4.abort("connection closed during IDLE")
            if any(response[:1] == (b"BYE",) for response in responses):
                raise imaplib.IMAP4.abort("server said BYE during IDLE")
            if any(_is_new_mail(response) for response in responses):
                break
        client.idle_done()


def _exists_reported(client: IMAPClient) -> bool:
    """Whether an EXISTS arrived among the responses to our last commands (and forget it).

    A mail delivered between our SEARCH and IDLE is announced as an untagged
    EXISTS with the SEARCH's responses; the server does not repeat it once IDLE
    starts, so without this check the mail waited for the next IDLE renewal
    (up to 29 minutes). imapclient keeps such responses in imaplib's store;
    ``response()`` is imaplib's documented way to read and clear them.
    """
    _code, data = client._imap.response("EXISTS")
    return bool(data) and data[0] is not None


def _is_new_mail(response: tuple) -> bool:
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # the connection may already be gone; nothing to save
        try:
            client.shutdown()
        except Exception:
            pass
