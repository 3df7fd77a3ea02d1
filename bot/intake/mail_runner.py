"""Stored raw mail → pipeline → processed, discarded or quarantined. Never loses a mail.

Mail is processed in batches, one transaction each: the state change and
whatever the handlers decided (tickets, outbox rows) commit together. Any
unexpected exception rolls the batch back; it runs again with a savepoint per
mail, so the mail that raised is quarantined with its traceback alone and
processing goes on with the next one.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.intake import pipeline
from bot.app.config import Settings
from bot.domain.mail.inbound import InboundMessage
from bot.domain.mail.text_decoding import without_nul
from handlers.base import PipelineContext
from handlers import deduplicate
from storage.repositories import autoreplies, directory, outbox, preloaded, raw_messages

if TYPE_CHECKING:
    from bot.intake.parse_pool import ParsePool

log = logging.getLogger("supportbot.intake")

POOL_MAIL_MAX_BYTES = 1024 * 1024  # larger mails are parsed inline, one at a time (memory, issue 21)
STATE_BY_DISPOSITION = {"processed": "processed", "discarded": "dropped", "quarantined": "quarantined"}


def _tell_staff(session: Session, raw_id: int, reason: str, now) -> None:
    """Queue one alert for staff (delivered to the Slack alerts channel), keyed by the mail."""
    outbox.enqueue(session, "slack.alert", f"alert:quarantine:{raw_id}",
                   {"text": f"A mail was quarantined (raw #{raw_id}): {reason}. "
                            f"See `supportbot mail quarantine show {raw_id}`."}, now)


def _preload(session: Session, messages: list[InboundMessage]) -> None:
    """What the steps look up per mail, for a whole batch in three queries (each was one per mail)."""
    senders = [message.sender_email for message in messages]
    directory.preload_contacts(session, senders)
    autoreplies.preload(session, senders)
    deduplicate.preload(session, [message.message_id for message in messages])


class _PoisonMail(Exception):
    """A mail in an optimistic batch raised; the batch is redone with savepoints."""


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
        return self.process_batch([raw_id])[0]

    def process_batch(self, raw_ids: list[int], parsed: dict[int, InboundMessage] | None = None
                      ) -> list[pipeline.Outcome | None]:
        """Process mails in one transaction: one commit per batch is what makes a backlog fast.

        Optimistic: the batch runs without savepoints, taking and settling its
        mails with one statement each. If one mail raises, the whole batch rolls
        back and runs again with a savepoint per mail, so the poison mail rolls
        back alone and is quarantined in the same commit. (Handlers only write to
        the database and to content-addressed files, so running a batch twice is
        harmless.)
        """
        parsed = parsed or {}
        with self._sessions() as session:
            try:
                outcomes = self._optimistic(session, raw_ids, parsed)
            except _PoisonMail:
                session.rollback()
                preloaded.forget(session)
                outcomes = [self._isolated(session, raw_id, parsed.get(raw_id)) for raw_id in raw_ids]
            session.commit()
        return outcomes

    def _optimistic(self, session: Session, raw_ids: list[int], parsed: dict[int, InboundMessage]
                    ) -> list[pipeline.Outcome | None]:
        taken = raw_messages.take_many(session, raw_ids)
        _preload(session, [parsed[raw_id] for raw_id in raw_ids if raw_id in parsed])
        outcomes: list[pipeline.Outcome | None] = []
        settled = []
        for raw_id in raw_ids:
            if raw_id not in taken:  # another worker has it
                outcomes.append(None)
                continue
            now = self._clock()
            try:
                outcome = self._run(session, raw_id, parsed.get(raw_id), now)
            except (OperationalError, InterfaceError):
                raise  # the database itself is in trouble: the caller retries the batch later
            except Exception as exc:
                raise _PoisonMail from exc
            outcomes.append(outcome)
            settled.append((raw_id, STATE_BY_DISPOSITION[outcome.disposition], now, outcome.reason))
        raw_messages.finish_many(session, settled)
        return outcomes

    def _run(self, session: Session, raw_id: int, message: InboundMessage | None, now: datetime) -> pipeline.Outcome:
        """The pipeline over one taken mail (not yet settled)."""
        raw = raw_messages.raw_of(session, raw_id) if message is None else None
        ctx = PipelineContext(session, self._settings, now, raw=raw, raw_id=raw_id, message=message,
                              services=self._services)
        if message is not None:
            message.raw_id = raw_id
        outcome = pipeline.run("email", ctx)
        if outcome.disposition == "quarantined" and not ctx.dry_run:
            _tell_staff(session, raw_id, outcome.reason, now)
        return outcome

    def _isolated(self, session: Session, raw_id: int, message: InboundMessage | None) -> pipeline.Outcome | None:
        """One mail inside its own savepoint: if it raises, it alone rolls back and is quarantined."""
        now = self._clock()
        savepoint = session.begin_nested()
        try:
            if not raw_messages.take_for_processing(session, raw_id):
                savepoint.commit()
                return None
            outcome = self._run(session, raw_id, message, now)
            raw_messages.finish(session, raw_id, STATE_BY_DISPOSITION[outcome.disposition], now, outcome.reason)
            savepoint.commit()
            return outcome
        except (OperationalError, InterfaceError):
            raise  # the database itself is in trouble: the caller retries the batch later
        except Exception as exc:  # poison mail (incl. a value this database refuses): set aside, keep going
            savepoint.rollback()
            reason = without_nul(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:500])
            log.warning("raw#%s quarantined: %s", raw_id, reason)
            raw_messages.finish(session, raw_id, "quarantined", now, reason, without_nul(traceback.format_exc()))
            _tell_staff(session, raw_id, reason, now)
            return pipeline.Outcome("quarantined", reason, ())

    def process_pending(self, limit: int = 100_000, batch: int = 50, pool: ParsePool | None = None, *,
                        older_than: timedelta | None = None) -> Counter:
        """Process stored mail in arrival order, ``batch`` mails per commit; count the outcomes.

        ``older_than``: only mail stored at least that long ago (left behind, not just handed to a worker).
        """
        stored_before = self._clock() - older_than if older_than is not None else None
        feed = IntakeFeed(self, pool, batch)
        after, added, more = 0, 0, True
        while True:
            if more and added < limit and len(feed) <= feed.ahead:  # top up before the pool runs dry
                with self._sessions() as session:
                    ids = raw_messages.pending_ids(session, limit=min(500, limit - added), after_id=after,
                                                   stored_before=stored_before)
                more = bool(ids)
                if ids:
                    feed.add(ids)
                    after, added = ids[-1], added + len(ids)
            if not feed:
                return feed.counts
            feed.process_next()

    def process_ids(self, ids: list[int], *, batch: int = 50, pool: ParsePool | None = None) -> Counter:
        """Process these stored mails, ``batch`` per commit (parsed ahead in ``pool`` when given)."""
        feed = IntakeFeed(self, pool, batch)
        feed.add(ids)
        return feed.drain()

    def load_raw(self, raw_ids: list[int]) -> dict[int, bytes]:
        """The stored bytes of these mails (what IntakeFeed hands the parse pool), big ones left out.

        A big mail is parsed inline when its turn comes, alone: sent to the pool it
        would be held here, pickled and copied for every chunk in flight at once.
        """
        with self._sessions() as session:
            return raw_messages.raw_bytes(session, raw_ids, max_size=POOL_MAIL_MAX_BYTES)


class IntakeFeed:
    """Stored mail queued for processing; the next chunks parse in the pool while the current one is written.

    Chunks keep their order across ``add`` calls, so a backlog arriving in fetch
    batches does not wait for a parse at each batch boundary (it did: ~60 ms per
    200-mail batch). At most ``ahead`` chunks are in flight, so a backlog of
    large mails cannot fill memory.
    """

    def __init__(self, intake: IntakeProcessor, pool: ParsePool | None = None, batch: int = 50, ahead: int = 3):
        self._intake, self._pool, self._batch, self.ahead = intake, pool, batch, ahead
        self._chunks: deque[_Chunk] = deque()
        self.counts: Counter = Counter()

    def __len__(self) -> int:
        """Chunks waiting."""
        return len(self._chunks)

    def add(self, ids: list[int]) -> None:
        """Queue stored mails, after those already queued."""
        for start in range(0, len(ids), self._batch):
            self._chunks.append(_Chunk(ids[start:start + self._batch]))
        self._parse_ahead()

    def process_next(self) -> None:
        """Process the oldest chunk in one transaction."""
        chunk = self._chunks.popleft()
        parsed = self._pool.result(chunk.parsing) if self._pool is not None else {}
        self._parse_ahead()  # keep the workers busy while this chunk is written
        for outcome in self._intake.process_batch(chunk.ids, parsed):
            self.counts[outcome.disposition if outcome else "skipped"] += 1

    def drain(self) -> Counter:
        """Process everything queued; the outcomes so far."""
        while self._chunks:
            self.process_next()
        return self.counts

    def _parse_ahead(self) -> None:
        if self._pool is None:
            return
        for chunk in islice(self._chunks, self.ahead):
            if not chunk.submitted:
                chunk.parsing, chunk.submitted = self._pool.submit(self._intake.load_raw(chunk.ids)), True


@dataclass
class _Chunk:
    ids: list[int]
    submitted: bool = False
    parsing: Future | None = None  # None after submitting: the pool was unavailable, parse inline
