"""Stored case vectors: one multilingual embedding per closed case (table ``case_vectors``).

Written by the embedding job (bot/desk/memory_vectors.py), read whole into each
process's memory for nearest-neighbour search. A vector is 384 float16 values
(768 bytes: 77 MB for 100,000 cases). Like the full-text documents, a ticket's
vector goes when retention purges it or ``contact forget`` scrubs its text
(``storage.search.remove``/``reindex``); the job embeds a scrubbed case again.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

DTYPE = np.float16

# Two replicas may embed the same case at once: the second insert is a no-op.
_INSERT = text("INSERT INTO case_vectors (ticket_id, language, vector) VALUES (:id, :language, :vector) "
               "ON CONFLICT (ticket_id) DO NOTHING")
_DELETE = text("DELETE FROM case_vectors WHERE ticket_id IN :ids").bindparams(bindparam("ids", expanding=True))
# Closed, without a vector, and still with a full-text document: retention's purged cases have none and
# stay out of the memory.
_MISSING = ("SELECT tickets.id FROM tickets LEFT JOIN case_vectors ON case_vectors.ticket_id = tickets.id "
            "WHERE tickets.status = 'closed' AND case_vectors.ticket_id IS NULL AND EXISTS ({document}) "
            "ORDER BY tickets.id LIMIT :limit")
_HAS_DOCUMENT = {"postgresql": "SELECT 1 FROM ticket_search WHERE ticket_search.ticket_id = tickets.id",
                 "sqlite": "SELECT 1 FROM ticket_fts WHERE ticket_fts.rowid = tickets.id"}
_STATE = text("SELECT count(*), coalesce(max(ticket_id), 0) FROM case_vectors")
_SINCE = text("SELECT ticket_id, language, vector FROM case_vectors WHERE ticket_id > :after ORDER BY ticket_id")


def save(session: Session, rows: Sequence[tuple[int, str, np.ndarray]]) -> None:
    """Store (ticket id, language, vector) rows in the caller's transaction."""
    if rows:
        session.connection().execute(_INSERT, [
            {"id": ticket_id, "language": language, "vector": np.asarray(vector, dtype=DTYPE).tobytes()}
            for ticket_id, language, vector in rows])


def remove(session: Session, ticket_ids: Sequence[int]) -> int:
    connection = session.connection()
    return sum(connection.execute(_DELETE, {"ids": list(ticket_ids[start:start + 500])}).rowcount
               for start in range(0, len(ticket_ids), 500))  # a bound parameter each: PostgreSQL takes 65,535


def missing(session: Session, limit: int) -> list[int]:
    """Closed tickets that have a full-text document but no vector yet, oldest first."""
    statement = text(_MISSING.format(document=_HAS_DOCUMENT[session.get_bind().dialect.name]))
    return [row[0] for row in session.connection().execute(statement, {"limit": limit})]


def state(session: Session) -> tuple[int, int]:
    """(how many vectors, the highest ticket id among them): what tells a cache it is stale."""
    count, highest = session.connection().execute(_STATE).one()
    return int(count), int(highest)


def load(session: Session, after_id: int = 0) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Ticket ids, languages and vectors (float32 matrix) of the tickets above ``after_id``."""
    ids, languages, blobs = [], [], []
    for ticket_id, language, vector in session.connection().execute(_SINCE, {"after": after_id}):
        ids.append(ticket_id)
        languages.append(language)
        blobs.append(bytes(vector))
    if not ids:
        return np.zeros(0, dtype=np.int64), [], np.zeros((0, 0), dtype=np.float32)
    matrix = np.frombuffer(b"".join(blobs), dtype=DTYPE).reshape(len(ids), -1).astype(np.float32)
    return np.asarray(ids, dtype=np.int64), languages, matrix
