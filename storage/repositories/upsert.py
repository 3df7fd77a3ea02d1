"""INSERT … ON CONFLICT DO NOTHING for SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignoring_conflict(session: Session, model: type, values: dict[str, Any]) -> int | None:
    """Insert a row unless a unique constraint already holds it; return the new id or None."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(model).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(model).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - only the two supported back ends reach here
        statement = insert(model).values(**values)
    primary_key = model.__table__.primary_key.columns.values()[0]
    return session.execute(statement.returning(primary_key)).scalar_one_or_none()
