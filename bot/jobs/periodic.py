"""A job run every N seconds in its own thread, supervised like every other component."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.jobs.components import ThreadComponent

log = logging.getLogger("supportbot.jobs")


class PeriodicJob(ThreadComponent):
    """Calls ``work()`` now and then every ``interval_s``; an exception escapes to the supervisor (restart)."""

    stop_order = 1

    def __init__(self, name: str, interval_s: float, work: Callable[[], object]):
        self.name = name
        self._interval_s = interval_s
        self._work = work
        self._stopping = threading.Event()

    def run_blocking(self) -> None:
        while not self._stopping.is_set():
            result = self._work()
            if result:
                log.info("%s: %s", self.name, result)
            self._stopping.wait(self._interval_s)

    def stop(self) -> None:
        self._stopping.set()
