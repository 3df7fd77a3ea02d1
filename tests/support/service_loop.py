"""Helpers for the tests that run the service: wait with a deadline, run a service on a loop in a thread."""

from __future__ import annotations

import asyncio
import threading
import time


def poll_until(predicate, timeout=15.0, interval=0.02, what="condition"):
    """Return ``predicate()``'s first truthy value; fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(interval)


class LoopThread:
    """An event loop in a background thread; ``call(coro)`` runs a coroutine on it and returns the result."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def call(self, coro, timeout=30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
