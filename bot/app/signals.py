"""SIGTERM and SIGINT as an asyncio event: the service's (and the demo's) way to be told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

log = logging.getLogger("supportbot.service")


def stop_on_signals(event: asyncio.Event) -> Callable[[], None]:
    """Set ``event`` on SIGTERM/SIGINT; return a function that restores the default handlers."""
    loop = asyncio.get_running_loop()

    def received(name: str) -> None:
        log.info("%s received, shutting down", name)
        event.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, received, sig.name)
    return lambda: [loop.remove_signal_handler(sig) for sig in (signal.SIGTERM, signal.SIGINT)]
