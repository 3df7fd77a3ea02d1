"""The IMAP poller as a supervised component: it polls only while this replica holds the mailbox's lease."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import ImapSettings
from bot.jobs.components import ThreadComponent
from bot.mail.imap_poller import ImapPoller
from bot.mail.mailbox_lease import LeasedPoller, MailboxLease


class _StampedEvent(threading.Event):
    """A threading.Event that remembers when it was last set (for the IMAP lag metric)."""

    set_at = 0.0

    def set(self) -> None:
        self.set_at = time.monotonic()
        super().set()


class TrackedPoller(ImapPoller):
    """The IMAP poller, plus what ``supportbot_imap_sync_lag_seconds`` needs (see bot/app/metrics.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected = _StampedEvent()
        self.started_at = time.monotonic()
        self.last_fetch_at: float | None = None

    def fetch_new(self, client, uidvalidity: int) -> int:
        stored = super().fetch_new(client, uidvalidity)
        self.last_fetch_at = time.monotonic()
        return stored

    def sync_lag_s(self) -> float:
        fetched = self.last_fetch_at
        if self.connected.is_set() and fetched is not None and fetched >= self.connected.set_at:
            return 0.0
        return time.monotonic() - (fetched if fetched is not None else self.started_at)


class PollerComponent(ThreadComponent):
    """The IMAP poller, polling only while this replica holds the mailbox's lease."""

    name = "imap"
    stop_order = 0

    def __init__(self, poller: TrackedPoller, lease: MailboxLease, on_taken: Callable[[], None] | None = None):
        self.poller = poller
        self.leased = LeasedPoller(poller, lease, on_taken)

    def run_blocking(self) -> None:
        self.leased.run()

    def stop(self) -> None:
        self.leased.stop()

    def is_up(self) -> bool:
        # A standby is healthy while it can reach the lease: another replica polls.
        if self.leased.role == "standby":
            return self.leased.last_error is None
        return self.poller.connected.is_set()

    @property
    def last_error(self) -> str | None:
        return self.leased.last_error or self.poller.last_error

    def sync_lag_s(self) -> float:
        """The poller's lag; 0 on a standby (the lease holder's figure is the one to watch)."""
        return 0.0 if self.leased.role == "standby" else self.poller.sync_lag_s()


def imap_component(settings: ImapSettings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                   on_stored: Callable[[list[int]], None], on_taken: Callable[[], None], budget=None) -> PollerComponent:
    """The poller of ``settings.mailbox`` behind its lease; ``on_taken`` runs when this replica takes it over."""
    poller = TrackedPoller(settings, sessions, clock, on_stored=on_stored, budget=budget)
    return PollerComponent(poller, MailboxLease(sessions, poller.mailbox, settings.lease_s), on_taken=on_taken)
