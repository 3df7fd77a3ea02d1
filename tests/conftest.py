"""Shared fixtures: a migrated database on every supported back end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import make_engine, make_session_factory

PG_URL_ENV = "SUPPORTBOT_TEST_PG_URL"


def _backends() -> list[str]:
    # PostgreSQL runs whenever the URL is set (CI sets it); an unreachable
    # server then fails the tests instead of skipping them.
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


# Modules about PostgreSQL alone (several replicas): collected only where it runs, never skipped.
collect_ignore = [] if os.environ.get(PG_URL_ENV) else ["proofs/test_replica_takeover.py"]


@contextmanager
def pg_schema() -> Iterator[str]:
    """A URL to a fresh, empty schema of the test PostgreSQL, dropped afterwards."""
    base = os.environ[PG_URL_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=_backends())
def db_url(request, tmp_path):
    """A URL to an empty database of each back end, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with pg_schema() as url:
        yield url


@pytest.fixture
def pg_url():
    """A URL to an empty PostgreSQL schema (for modules about PostgreSQL alone, see ``collect_ignore``)."""
    with pg_schema() as url:
        yield url


@pytest.fixture
def engine(db_url):
    """An engine on a freshly migrated database."""
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session


@pytest.fixture
def now():
    """A fixed instant (Tuesday 2026-03-10 10:15 in Stockholm)."""
    return datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc)
