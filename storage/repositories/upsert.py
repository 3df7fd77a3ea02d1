"""INSERT … ON CONFLICT DO NOTHING … RETURNING id, for SQLite and PostgreSQL alike."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@lru_cache(maxsize=256)
def _statement(dialect: str, table, columns: tuple[str, ...]):
    # Built once per (table, column set) with bind parameters: constructing the
    # statement object cost more than executing it, and this runs for every
    # stored mail and every outbox row.
    make = _DIALECT_INSERT.get(dialect, insert)
    statement = make(table).values({name: bindparam(name, type_=table.c[name].type) for name in columns})
    if dialect in _DIALECT_INSERT:
        statement = statement.on_conflict_do_nothing()
    return statement.returning(*table.primary_key.columns)


def insert_many_ignoring_conflict(session: Session, model: type, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert rows (all with the same columns) skipping those a unique constraint holds; the new keys, ascending.

    One executemany, which SQLAlchemy sends as multi-row INSERT … RETURNING
    ("insertmanyvalues"): ~15 µs a row instead of ~90 for one statement each.
    """
    if not rows:
        return []
    table = model.__table__
    statement = _statement(session.get_bind().dialect.name, table, tuple(sorted(rows[0])))
    # RETURNING order is not the insert order; new keys ascend in insert order.
    return sorted(session.connection().execute(statement, rows).scalars())


def insert_ignoring_conflict(session: Session, model: type, values: dict[str, Any]) -> Any | None:
    """Insert a row unless a unique constraint already holds it; return the new key or None."""
    table = model.__table__
    statement = _statement(session.get_bind().dialect.name, table, tuple(sorted(values)))
    # On the session's connection (Core): the ORM layer added about half again to
    # the cost, and the rows written here are never ORM objects of this session.
    return session.connection().execute(statement, values).scalar_one_or_none()
