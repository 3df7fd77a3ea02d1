"""Keeps the service's components running: restart on crash, report, stop in order.

A component is anything with ``async run()`` (serve until asked to stop; an
exception is a crash), ``stop()`` (ask ``run`` to return soon) and a
``stop_order``; optionally ``is_up()`` (it can tell it is not working, e.g. a
poller without a connection) and ``last_error`` (its own report). Blocking
loops (the IMAP poller, the intake and outbox workers) run in their own daemon
threads through :class:`bot.jobs.components.ThreadComponent`, not in the loop's default executor:
they live as long as the process, and the executor's handful of threads is
needed by short ``to_thread`` calls (the SMTP ingress's commits, /metrics).

A crash is logged with its traceback, counted, shown by /healthz, and followed by
a restart after a capped, jittered backoff: a component is never silently dead.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.jobs.components import Component

log = logging.getLogger("supportbot.supervisor")


@dataclass
class _State:
    component: Any
    restarts: int = 0
    last_error: str | None = None
    running: bool = False
    stop_requested: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None


class Supervisor:
    """Runs components as tasks, restarts the ones that crash, stops them stage by stage."""

    def __init__(
        self,
        components: Iterable[Component],
        *,
        on_restart: Callable[[str], None] = lambda name: None,
        backoff_base_s: float = 1.0,
        backoff_cap_s: float = 60.0,
        rng: random.Random | None = None,
    ):
        self._states = {component.name: _State(component) for component in components}
        self._on_restart = on_restart
        self._base, self._cap = backoff_base_s, backoff_cap_s
        self._rng = rng or random.Random()
        self.stopping = False

    @property
    def names(self) -> list[str]:
        return list(self._states)

    def start(self) -> None:
        """Start every component's supervising task on the running loop."""
        loop = asyncio.get_running_loop()
        for state in self._states.values():
            state.task = loop.create_task(self._supervise(state), name=f"supervise:{state.component.name}")

    def health(self) -> dict[str, dict[str, Any]]:
        """Per component: up (running and, where it can tell, working), last error, restarts."""
        report = {}
        for name, state in self._states.items():
            component = state.component
            working = getattr(component, "is_up", lambda: True)()
            own_error = getattr(component, "last_error", None)
            report[name] = {"up": state.running and working and not state.stop_requested.is_set(),
                            "last_error": own_error or state.last_error, "restarts": state.restarts}
        return report

    async def stop(self, timeout: float) -> list[str]:
        """Stop components by ``stop_order`` within ``timeout`` seconds; return the names still running."""
        self.stopping = True
        deadline = time.monotonic() + timeout
        for order in sorted({s.component.stop_order for s in self._states.values()}):
            stage = [s for s in self._states.values() if s.component.stop_order == order]
            for state in stage:
                state.stop_requested.set()
                state.component.stop()
            tasks = [s.task for s in stage if s.task is not None]
            if tasks:
                await asyncio.wait(tasks, timeout=max(0.0, deadline - time.monotonic()))
        unfinished = [s.component.name for s in self._states.values() if s.task is not None and not s.task.done()]
        for state in self._states.values():
            if state.task is not None and not state.task.done():
                state.task.cancel()  # a thread left behind is a daemon; it dies with the process
        return unfinished

    async def _supervise(self, state: _State) -> None:
        failures = 0
        name = state.component.name
        while not state.stop_requested.is_set():
            started = time.monotonic()
            state.running = True
            try:
                await state.component.run()
                error = "returned without being asked to stop"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
                if not state.stop_requested.is_set():
                    log.error("%s crashed: %s", name, error, exc_info=exc)
            finally:
                state.running = False
            if state.stop_requested.is_set():
                return
            # A component that ran well for a while before failing starts its
            # backoff afresh; one that fails at once backs off further each time.
            failures = 1 if time.monotonic() - started > self._cap else failures + 1
            state.restarts += 1
            state.last_error = error
            self._on_restart(name)
            delay = min(self._cap, self._base * 2 ** (failures - 1)) * self._rng.uniform(0.5, 1.0)
            log.warning("%s stopped (%s); restart %d in %.1f s", name, error, state.restarts, delay)
            try:
                await asyncio.wait_for(state.stop_requested.wait(), delay)
            except TimeoutError:
                pass
