"""A demo step ends when its effects are delivered, not when they are committed.

The first demo moved on once the database said "processed": the receipt of step 6
then printed under step 7. Here a step waits until what it decided (``ready``) is in
the database, and then until every outbox row queued since the step began is sent
or failed — the outbox marks a row sent only after the SMTP sink's 250 or the Slack
stand-in's answer, and both print before they answer — and until the stand-in got
the direct calls (an ephemeral) the step expects. A row queued by a delivery (the
"sent to customer" line after the mail) is part of the step too: the outbox must be
quiet across two looks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import OutboxRow

STEP_TIMEOUT_S = 30.0
POLL_S = 0.02  # how often to look, not a synchronisation delay


@dataclass(frozen=True)
class Mark:
    outbox_id: int
    calls: Mapping[str, int]


class Settler:
    def __init__(self, sessions: sessionmaker[Session], standin, timeout: float = STEP_TIMEOUT_S):
        self._sessions = sessions
        self._standin = standin
        self._timeout = timeout

    async def mark(self) -> Mark:
        """Where the outbox and the stand-in stand before a step acts."""
        last = await asyncio.to_thread(self._last_outbox_id)
        return Mark(last, {method: len(self._standin.calls(method)) for method in ("chat.postEphemeral",)})

    async def delivered(self, mark: Mark, ready: Callable[[Session], bool] | None = None,
                        direct: Mapping[str, int] | None = None) -> None:
        """Return once ``ready`` holds and everything since ``mark`` is delivered; TimeoutError otherwise."""
        deadline = time.monotonic() + self._timeout
        quiet_at = None
        while True:
            state = await asyncio.to_thread(self._outbox_state, mark, ready)
            if state is not None and self._calls_arrived(mark, direct or {}):
                if state == quiet_at:
                    return
                quiet_at = state
            else:
                quiet_at = None
            if time.monotonic() > deadline:
                raise TimeoutError(f"the step's effects were not delivered within {self._timeout:g} s")
            await asyncio.sleep(POLL_S)

    def _last_outbox_id(self) -> int:
        with self._sessions() as session:
            return session.execute(select(func.coalesce(func.max(OutboxRow.id), 0))).scalar_one()

    def _outbox_state(self, mark: Mark, ready: Callable[[Session], bool] | None) -> int | None:
        """The newest outbox id when ``ready`` holds and nothing since ``mark`` waits; else None."""
        with self._sessions() as session:
            if ready is not None and not ready(session):
                return None
            waiting = session.execute(select(func.count(OutboxRow.id)).where(
                OutboxRow.id > mark.outbox_id, OutboxRow.state.in_(("pending", "sending")))).scalar_one()
            newest = session.execute(select(func.coalesce(func.max(OutboxRow.id), 0))).scalar_one()
        return None if waiting else newest

    def _calls_arrived(self, mark: Mark, direct: Mapping[str, int]) -> bool:
        return all(len(self._standin.calls(method)) >= mark.calls.get(method, 0) + count
                   for method, count in direct.items())
