"""How many bytes of inbound mail the edges may hold in memory at once.

The SMTP ingress and the IMAP poller share one budget (``desk.mail_in_flight_bytes``).
A mail holds its share from the moment the edge decides to take it (SMTP: MAIL FROM
with its declared SIZE; IMAP: the FETCH of a batch, by RFC822.SIZE) until it is
committed. Past the budget, SMTP answers 451 (the sender retries later) and the
poller waits: a burst of big mail slows intake down instead of running the
container out of memory, and no mail is lost either way.

A mail larger than the whole budget may still come in alone: its reservation is
the whole budget, so it waits until nothing else is in flight.
"""

from __future__ import annotations

import threading


class InFlightBudget:
    """A byte budget shared by threads and the event loop (reservations never block the loop)."""

    def __init__(self, limit_bytes: int):
        if limit_bytes < 1:
            raise ValueError("the in-flight budget must be at least one byte")
        self.limit = limit_bytes
        self._used = 0
        self._changed = threading.Condition()

    @property
    def used(self) -> int:
        """Bytes reserved right now."""
        with self._changed:
            return self._used

    def _share(self, size: int) -> int:
        return max(1, min(size, self.limit))

    def try_reserve(self, size: int) -> int | None:
        """Reserve ``size`` bytes (at most the whole budget) if they fit now; the amount reserved, else None."""
        share = self._share(size)
        with self._changed:
            if self._used + share > self.limit:
                return None
            self._used += share
            return share

    def reserve(self, size: int, stop: threading.Event | None = None, check_s: float = 0.5) -> int | None:
        """Wait until ``size`` bytes fit and reserve them; None if ``stop`` was set first."""
        share = self._share(size)
        with self._changed:
            while self._used + share > self.limit:
                if stop is not None and stop.is_set():
                    return None
                self._changed.wait(check_s)
            self._used += share
            return share

    def release(self, share: int) -> None:
        """Give back what ``try_reserve``/``reserve`` returned."""
        with self._changed:
            self._used = max(0, self._used - share)
            self._changed.notify_all()
