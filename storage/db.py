"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """An engine with the settings this project relies on for ``url``'s back end."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo)
    # hide_parameters: an error must not carry a customer's mail into logs and /healthz.
    return create_engine(url, echo=echo, pool_size=pool_size, pool_pre_ping=True, hide_parameters=True)


def _sqlite_engine(url: str, echo: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions
        # begin (the module's implicit BEGIN comes too late for locking).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if parsed_is_file(url):
            # WAL lets readers proceed while the single writer commits.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front: a deferred transaction that
        # read first and writes later can fail with SQLITE_BUSY_SNAPSHOT under
        # WAL instead of waiting, which would lose a claim or an ingest.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def parsed_is_file(url: str) -> bool:
    """True for an on-disk SQLite database (WAL needs a file)."""
    database = make_url(url).database
    return bool(database) and database != ":memory:" and not database.startswith("file::memory:")


def missing_sqlite_file(url: str) -> str | None:
    """The path of an on-disk SQLite database that does not exist yet; None otherwise.

    Connecting would create it: a command that only reads must not leave a stray,
    empty database behind (a typo in the path, the wrong working directory).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed_is_file(url) or parsed.database.startswith("file:"):
        return None
    return None if os.path.exists(parsed.database) else parsed.database


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded attributes after commit (rows are handed to workers)."""
    return sessionmaker(engine, expire_on_commit=False)
