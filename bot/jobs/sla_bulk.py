"""The SLA monitor's writes, one statement per batch each, on SQLite and PostgreSQL.

A batch can be hundreds of tickets (the morning after a holiday), and a
statement per row costs more than all the arithmetic. On SQLite an
``executemany`` runs in C inside one transaction and is fast; on PostgreSQL
each row of an ``executemany`` is still one statement on the server, so the
rows go in as arrays and are ``unnest``-ed into one ``INSERT … SELECT`` or
``UPDATE … FROM``. Conflicts on a unique key are skipped (``ON CONFLICT DO
NOTHING``) in both, which is what makes an alert and its messages exactly-once.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, bindparam, cast, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.orm import Session

from storage.models import OutboxRow, SlaAlert, Ticket

_ALERTS, _OUTBOX, _TICKETS = SlaAlert.__table__, OutboxRow.__table__, Ticket.__table__
_RETURNED = (_ALERTS.c.id, _ALERTS.c.ticket_id, _ALERTS.c.level, _ALERTS.c.occurrence)


def _pg_arrays(*specs):
    return func.unnest(*(bindparam(name, type_=ARRAY(kind)) for name, kind in specs))


# -- PostgreSQL: arrays in, one statement ------------------------------------------------

_PG_ALERTS = _pg_arrays(("t", Integer), ("k", String), ("l", String), ("o", Integer)) \
    .table_valued("ticket_id", "kind", "level", "occurrence").render_derived().alias("u")
_PG_INSERT_ALERTS = (
    postgresql.insert(_ALERTS)
    .from_select(["ticket_id", "kind", "level", "occurrence", "created_at"],
                 select(_PG_ALERTS.c.ticket_id, _PG_ALERTS.c.kind, _PG_ALERTS.c.level, _PG_ALERTS.c.occurrence,
                        bindparam("now", type_=DateTime(timezone=True))))
    .on_conflict_do_nothing().returning(*_RETURNED)
)
_PG_ROWS = _pg_arrays(("kinds", String), ("keys", String), ("payloads", String), ("tids", Integer)) \
    .table_valued("kind", "key", "payload", "ticket_id").render_derived().alias("r")
_PG_ENQUEUE = (
    postgresql.insert(_OUTBOX)
    .from_select(["kind", "idempotency_key", "payload", "ticket_id", "state", "attempts", "next_attempt_at",
                  "created_at"],
                 select(_PG_ROWS.c.kind, _PG_ROWS.c.key, cast(_PG_ROWS.c.payload, JSON), _PG_ROWS.c.ticket_id,
                        literal("pending"), literal(0), bindparam("now", type_=DateTime(timezone=True)),
                        bindparam("now", type_=DateTime(timezone=True))))
    .on_conflict_do_nothing()
)
_PG_MOVES = _pg_arrays(("ids", Integer), ("nexts", DateTime(timezone=True))) \
    .table_valued("id", "next_at").render_derived().alias("m")
_PG_MOVE_ON = update(_TICKETS).where(_TICKETS.c.id == _PG_MOVES.c.id).values(sla_next_check_at=_PG_MOVES.c.next_at)

# -- SQLite: executemany -----------------------------------------------------------------

_SQLITE_INSERT_ALERTS = sqlite.insert(_ALERTS).on_conflict_do_nothing().returning(*_RETURNED)
_SQLITE_ENQUEUE = sqlite.insert(_OUTBOX).on_conflict_do_nothing()
_SQLITE_MOVE_ON = update(_TICKETS).where(_TICKETS.c.id == bindparam("tid")) \
    .values(sla_next_check_at=bindparam("next_at"))


def insert_alerts(session: Session, alerts: list[tuple[int, str, str, int]], now: datetime) -> list[tuple]:
    """Insert (ticket_id, kind, level, occurrence) rows; return (id, ticket_id, level, occurrence) of the new ones."""
    if not alerts:
        return []
    if _is_postgres(session):
        t, k, lv, o = (list(column) for column in zip(*alerts))
        return session.execute(_PG_INSERT_ALERTS, {"t": t, "k": k, "l": lv, "o": o, "now": now}).all()
    rows = [{"ticket_id": t, "kind": k, "level": lv, "occurrence": o, "created_at": now} for t, k, lv, o in alerts]
    return session.execute(_SQLITE_INSERT_ALERTS, rows).all()


def enqueue_many(session: Session, rows: list[dict], now: datetime) -> None:
    """Outbox rows (kind, idempotency_key, payload, ticket_id), due now; a key already queued is skipped."""
    if not rows:
        return
    if _is_postgres(session):
        session.execute(_PG_ENQUEUE, {
            "kinds": [row["kind"] for row in rows], "keys": [row["idempotency_key"] for row in rows],
            "payloads": [json.dumps(row["payload"]) for row in rows], "tids": [row["ticket_id"] for row in rows],
            "now": now})
        return
    common = {"state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
    session.execute(_SQLITE_ENQUEUE, [{**row, **common} for row in rows])


def move_on(session: Session, moves: list[tuple[int, datetime | None]]) -> None:
    """Set each ticket's ``sla_next_check_at`` (None: nothing left to watch)."""
    if not moves:
        return
    if _is_postgres(session):
        session.execute(_PG_MOVE_ON, {"ids": [tid for tid, _ in moves], "nexts": [at for _, at in moves]},
                        execution_options={"synchronize_session": False})
        return
    session.execute(_SQLITE_MOVE_ON, [{"tid": tid, "next_at": at} for tid, at in moves],
                    execution_options={"synchronize_session": False})


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
