"""Stored raw mail → pipeline → processed, discarded or quarantined. Never loses a mail.

Each mail is processed in its own transaction: the state change and whatever the
handlers decided (tickets, outbox rows) commit together. Any unexpected exception
rolls that back and quarantines the mail with the traceback, in a transaction of
its own, and processing goes on with the next mail.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot import pipeline
from bot.config import Settings
from handlers.base import PipelineContext
from storage.repositories import raw_messages

log = logging.getLogger("supportbot.intake")

STATE_BY_DISPOSITION = {"processed": "processed", "discarded": "dropped", "quarantined": "quarantined"}


class IntakeProcessor:
    """Runs the e-mail pipeline over raw mail the edges stored."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        clock: Callable[[], datetime],
        services: dict[str, Any] | None = None,
    ):
        self._sessions = session_factory
        self._settings = settings
        self._clock = clock
        self._services = services or {}

    def process(self, raw_id: int) -> pipeline.Outcome | None:
        """Process one stored mail; None when another worker already did."""
        try:
            with self._sessions() as session:
                raw = raw_messages.take_for_processing(session, raw_id)
                if raw is None:
                    return None
                now = self._clock()
                ctx = PipelineContext(session, self._settings, now, raw=raw.raw, raw_id=raw_id, services=self._services)
                outcome = pipeline.run("email", ctx)
                raw_messages.finish(session, raw_id, STATE_BY_DISPOSITION[outcome.disposition], now, outcome.reason)
                session.commit()
                return outcome
        except Exception as exc:  # poison mail: set aside, keep going
            return self._quarantine(raw_id, exc)

    def process_pending(self, limit: int = 500) -> int:
        """Process stored mail in arrival order; return how many were handled."""
        handled, after = 0, 0
        while handled < limit:
            with self._sessions() as session:
                ids = raw_messages.pending_ids(session, limit=min(100, limit - handled), after_id=after)
            if not ids:
                break
            for raw_id in ids:
                self.process(raw_id)
                handled += 1
            after = ids[-1]
        return handled

    def _quarantine(self, raw_id: int, exc: Exception) -> pipeline.Outcome:
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500]
        details = traceback.format_exc()
        log.warning("raw#%s quarantined: %s", raw_id, reason)
        with self._sessions() as session:
            raw_messages.finish(session, raw_id, "quarantined", self._clock(), reason, details)
            session.commit()
        return pipeline.Outcome("quarantined", reason, ())
