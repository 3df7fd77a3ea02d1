"""Parsing a backlog on every core while the main process does the database work.

The stdlib ``email`` parser is the slowest step of intake (~700 mails/s on one
core here); a pool of worker processes parses the next chunks while the intake
processor writes the current one. A worker failing on a chunk only means that
chunk is parsed inline instead (where a poison mail is quarantined on its own).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.domain.mail.inbound import InboundMessage

log = logging.getLogger("supportbot.parse_pool")


def _parse_chunk(raws: dict[int, bytes], attachment_max_bytes: int) -> dict[int, InboundMessage]:
    from bot.domain.mail.parse import parse_mail  # preloaded by the forkserver; the parent never needs it

    parsed = {}
    for raw_id, raw in raws.items():
        try:
            parsed[raw_id] = parse_mail(raw, attachment_max_bytes=attachment_max_bytes)
        except Exception:  # left out: the pipeline's own parse step decides about this mail
            continue
    return parsed


@contextmanager
def _main_script_hidden():
    """Start workers without re-running the ``__main__`` script in each of them.

    multiprocessing re-executes the parent's main script in every new worker
    when ``__main__`` has a file. For the ``supportbot`` console script that is
    the whole CLI import (~1 s of CPU per worker here, competing with the work);
    a worker needs only this module. Without a file, the workers skip it.
    """
    main = sys.modules["__main__"]
    path = main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        if path is not None:
            main.__file__ = path


class ParsePool:
    """A lazily started process pool; ``submit`` returns a future of parsed mails by raw id."""

    def __init__(self, attachment_max_bytes: int, workers: int | None = None):
        self._attachment_max_bytes = attachment_max_bytes
        self._workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, raws: dict[int, bytes]) -> Future | None:
        """Parse ``raws`` in a worker process; None when the pool cannot take work."""
        try:
            if self._executor is None:
                # forkserver: the service has threads (poller, outbox), and forking
                # a threaded process can copy a held lock into the child.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["bot.domain.mail.parse"])
                self._executor = ProcessPoolExecutor(self._workers, mp_context=context)
            with _main_script_hidden():  # a submit may start a worker
                return self._executor.submit(_parse_chunk, raws, self._attachment_max_bytes)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            log.warning("parse pool unavailable (%s); parsing inline", type(exc).__name__)
            self.close()
            return None

    def start(self) -> None:
        """Start the workers now (they take a moment) instead of at the first chunk."""
        self.submit({})

    def result(self, future: Future | None) -> dict[int, InboundMessage]:
        """The parsed chunk, or {} when the worker failed (the mails are parsed inline then)."""
        if future is None:
            return {}
        try:
            return future.result()
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            log.warning("parse worker failed (%s); parsing inline", type(exc).__name__)
            self.close()
            return {}

    def close(self) -> None:
        """Stop the workers."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            try:
                executor.shutdown(wait=True, cancel_futures=True)
            except Exception:  # a broken pool may fail to shut down cleanly; it is gone either way
                log.debug("parse pool shutdown failed", exc_info=True)
