"""Listeners still running after their ack(): the runner drains them on stop, tests await them.

Bolt acknowledges first and finishes the listener in a background task, so the
HTTP answer (or the Socket Mode envelope ack) says nothing about when the work
is done. A listener middleware counts each matched listener *inside* dispatch,
before Bolt schedules the task, and the wrapper uncounts it when the listener
returns or raises; so once ``dispatch`` has returned, ``wait_idle`` cannot miss
work that request started.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any

Listener = Callable[..., Awaitable[Any]]


class InFlight:
    """Counts running listeners; see the module docstring."""

    def __init__(self) -> None:
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def running(self) -> int:
        return self._running

    def register(self, add: Callable[..., Callable], key: Any, listener: Listener) -> None:
        """``add`` is a Bolt registrar such as ``app.action``; ``key`` its constraint (action id, event type…)."""
        add(key, middleware=[self._begin])(self._tracked(listener))

    async def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until no listener runs; False when ``timeout`` passed first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _begin(self, next) -> None:  # noqa: A002 - Bolt injects middleware arguments by name
        self._running += 1
        self._idle.clear()
        await next()

    def _tracked(self, listener: Listener) -> Listener:
        # functools.wraps: Bolt reads the argument names through __wrapped__ and
        # passes exactly those as keywords.
        @functools.wraps(listener)
        async def tracked(**kwargs: Any) -> Any:
            try:
                return await listener(**kwargs)
            finally:
                self._running -= 1
                if self._running == 0:
                    self._idle.set()

        return tracked
