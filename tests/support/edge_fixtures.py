"""Fixtures for the edges: a migrated SQLite store and helpers to wait on it."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.app.config import load_settings
from bot.intake.mail_runner import IntakeProcessor
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import RawMessage
from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401


def utc_clock() -> datetime:
    return datetime.now(timezone.utc)


@pytest.fixture
def store(tmp_path):
    """A session factory on a migrated on-disk SQLite database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ingress.db'}")
    migrate.upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def processor(store):
    return IntakeProcessor(store, load_settings(None, environ={}), utc_clock)


def raw_rows(store, state=None):
    with store() as session:
        query = select(RawMessage).order_by(RawMessage.id)
        if state:
            query = query.where(RawMessage.state == state)
        return list(session.execute(query).scalars())


def wait_until(predicate, timeout=15.0, interval=0.02):
    """Poll ``predicate`` until it is truthy; fail with a clear message at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def count_rows(store):
    with store() as session:
        return session.execute(select(func.count(RawMessage.id))).scalar_one()


class PollerThread:
    """Runs an ImapPoller in a thread for a test and stops it afterwards."""

    def __init__(self, poller):
        self.poller = poller
        self.thread = threading.Thread(target=poller.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self.poller

    def __exit__(self, *exc):
        self.poller.stop()
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "poller did not stop"
