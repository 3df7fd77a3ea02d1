"""What the supervisor (bot/app/supervisor.py) runs: the component contract, and a base for blocking loops.

It lives beside the jobs, not in the shell, so that the mail, intake and job
components can implement it without importing the composition root.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, Protocol


class Component(Protocol):
    """What the supervisor runs. ``stop_order``: lower numbers stop first."""

    name: str
    stop_order: int

    async def run(self) -> None: ...

    def stop(self) -> None: ...


class ThreadComponent:
    """Base for a blocking ``run_blocking()`` loop; subclasses make ``stop()`` end it."""

    name = "thread"
    stop_order = 1

    def run_blocking(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    async def run(self) -> None:
        await run_in_thread(self.run_blocking, self.name)


def run_in_thread(target: Callable[[], Any], name: str) -> asyncio.Future:
    """Run ``target`` in a new daemon thread; the future settles when it returns or raises."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def main() -> None:
        try:
            result, error = target(), None
        except BaseException as exc:  # handed to the loop, where the supervisor reports it
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(settle, result, error)
        except RuntimeError:
            pass  # the loop is already closed: the process is exiting

    # Daemon: a thread stuck past the shutdown grace must not keep the process alive.
    threading.Thread(target=main, name=name, daemon=True).start()
    return future
