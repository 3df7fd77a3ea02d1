"""The demo's clock: real time, or a frozen instant while a scenario step runs.

The service takes its clock from the Runtime, so the "out of hours" step can run
on a Saturday whatever day the demo is started: every step freezes the clock at
its own instant (in chronological order, so outbox rows queued at one step are
due at the next), and the clock runs freely again once the scenario is done.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone


class DemoClock:
    """Callable like ``bot.app.runtime.utc_now``; thread-safe."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            frozen = self._frozen
        return frozen if frozen is not None else datetime.now(timezone.utc)

    def freeze(self, at: datetime) -> None:
        """Stop the clock at ``at`` (an aware instant)."""
        with self._lock:
            self._frozen = at.astimezone(timezone.utc)

    def release(self) -> None:
        """Run on real time again."""
        with self._lock:
            self._frozen = None
