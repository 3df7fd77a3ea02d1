"""Alembic environment: runs against the connection or URL handed over by storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

import storage.models  # noqa: F401  (registers every table)
from storage.db import make_engine
from storage.models import Base
from storage.search import index_schema_object

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode recreates tables.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The full-text index has back-end specific tables, made by migration 0005.
        include_name=lambda name, kind, _parents: kind != "table" or not index_schema_object(name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `supportbot db upgrade`")
run_migrations()
