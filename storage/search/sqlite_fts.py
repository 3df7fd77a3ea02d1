"""The index on SQLite: an FTS5 table of stems, ranked by bm25.

FTS5 has no Swedish stemmer, so the text is stemmed before it is stored
(bot/domain/text/analysis.py) and FTS5 only splits on spaces. ``rowid`` is the
ticket's id; ``ticket_fts_vocab`` (fts5vocab) gives each stem's document count.
The table keeps its own copy of the stems, so appending a message is one
UPDATE (FTS5 replaces the row's postings) and retention can delete a row
without knowing what it held.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.domain.text.analysis import QueryTerm, index_text
from storage.search.backend import Filters, Hit, documents, filter_sql

SUBJECT_WEIGHT, BODY_WEIGHT = 2.0, 1.0  # bm25 column weights

_APPEND = text("UPDATE ticket_fts SET body = body || ' ' || :body WHERE rowid = :id")
_INSERT = text("INSERT INTO ticket_fts (rowid, subject, body) VALUES (:id, :subject, :body)")
_DELETE = text("DELETE FROM ticket_fts WHERE rowid = :id")
_COUNT = text("SELECT count(*) FROM ticket_fts")
_DF = text("SELECT doc FROM ticket_fts_vocab WHERE term = :term")
_INDEX_ONLY = text(f"SELECT rowid AS id, -bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) AS score FROM ticket_fts "
                   f"WHERE ticket_fts MATCH :query ORDER BY bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) "
                   "LIMIT :limit")
_AVERAGES = text("SELECT block FROM ticket_fts_data WHERE id = 1")
EXACT_BELOW = 20_000  # documents: below this, stems are counted for every query (as on PostgreSQL)
_CACHE_TTL_S = 60.0
_CACHE_MAX = 200_000  # stems remembered before the cache starts afresh


class SqliteIndex:
    def add(self, session: Session, ticket_id: int, language: str, subject: str, body: str) -> None:
        connection = session.connection()
        stems = index_text(body, language)
        if connection.execute(_APPEND, {"id": ticket_id, "body": stems}).rowcount == 0:
            connection.execute(_INSERT, {"id": ticket_id, "subject": index_text(subject, language), "body": stems})

    def reindex(self, session: Session, ticket_ids: Sequence[int]) -> int:
        connection = session.connection()
        rebuilt = 0
        for start in range(0, len(ticket_ids), 500):
            for ticket_id, language, subject, texts in documents(session, ticket_ids[start:start + 500]):
                connection.execute(_DELETE, {"id": ticket_id})
                body = " ".join(index_text(value, language) for value in texts)
                connection.execute(_INSERT, {"id": ticket_id, "subject": index_text(subject, language), "body": body})
                rebuilt += 1
        return rebuilt

    def remove(self, session: Session, ticket_ids: Sequence[int]) -> int:
        connection = session.connection()
        return sum(connection.execute(_DELETE, {"id": ticket_id}).rowcount for ticket_id in ticket_ids)

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, dict[str, int]]] = {}  # database → (when, stem → documents)

    def document_frequencies(self, session: Session, stems: Sequence[str]) -> tuple[int, dict[str, int]]:
        """How many documents the index holds, and how many hold each stem.

        Each stem's count reads its posting list (~0.4 ms for a stem in 8,000 of
        100,000 documents), so a large index keeps the counts for a minute: an
        IDF that is a minute old ranks the same. A small one counts every time,
        it changes fast.
        """
        connection = session.connection()
        total = _document_count(connection)
        if total < EXACT_BELOW:
            return total, {stem: connection.execute(_DF, {"term": stem}).scalar() or 0 for stem in stems}
        key = session.get_bind().url.render_as_string(hide_password=True)
        cached = self._cache.get(key)
        if cached is None or time.monotonic() - cached[0] > _CACHE_TTL_S or len(cached[1]) > _CACHE_MAX:
            cached = self._cache[key] = (time.monotonic(), {})
        known = cached[1]
        for stem in stems:
            if stem not in known:
                known[stem] = connection.execute(_DF, {"term": stem}).scalar() or 0
        return total, {stem: known[stem] for stem in stems}

    def known(self, session: Session, stems: Sequence[str]) -> set[str]:
        return {stem for stem, count in self.document_frequencies(session, stems)[1].items() if count}

    def self_score(self, session: Session, terms: Sequence[QueryTerm]) -> float:
        """bm25 of a document that is the query itself, all in the subject (FTS5's formula, k1 1.2, b 0.75)."""
        total, frequencies = self.document_frequencies(session, [term.stem for term in terms])
        saturation = SUBJECT_WEIGHT * (1.2 + 1) / (SUBJECT_WEIGHT + 1.2)
        return sum(max(1e-6, math.log((total - frequencies[term.stem] + 0.5) / (frequencies[term.stem] + 0.5)))
                   * saturation * max(1, round(term.weight)) for term in terms)

    def match(self, session: Session, terms: Sequence[QueryTerm], filters: Filters, limit: int) -> list[Hit]:
        if not terms:
            return []
        if filters.status is None and filters.organisation_id is None:
            found = self._match_index_only(session, terms, filters, limit)
            if found is not None:
                return found
        where, parameters = filter_sql(filters)
        statement = text(
            f"SELECT ticket_fts.rowid AS id, -bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) AS score "
            "FROM ticket_fts JOIN tickets ON tickets.id = ticket_fts.rowid "
            f"WHERE ticket_fts MATCH :query{where} ORDER BY bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) "
            "LIMIT :limit")
        rows = session.connection().execute(statement, {"query": match_expression(terms), "limit": limit, **parameters})
        return [Hit(row.id, row.score) for row in rows]


    def _match_index_only(self, session: Session, terms: Sequence[QueryTerm], filters: Filters,
                          limit: int) -> list[Hit] | None:
        """The best matches from FTS5 alone (its ORDER BY … LIMIT without a join), then the closed/excluded
        filter on those few; None when too few pass and the caller must join after all."""
        fetch = 3 * limit + 10
        rows = session.connection().execute(_INDEX_ONLY, {"query": match_expression(terms), "limit": fetch}).all()
        if not rows:
            return []
        where, parameters = filter_sql(filters)
        passing = {row[0] for row in session.connection().execute(
            text(f"SELECT id FROM tickets WHERE id IN ({', '.join(str(int(row.id)) for row in rows)}){where}"),
            parameters)}
        hits = [Hit(row.id, row.score) for row in rows if row.id in passing]
        if len(hits) < limit and len(rows) == fetch:
            return None
        return hits[:limit]


def _document_count(connection) -> int:
    """The index's row count from FTS5's own averages record (``ticket_fts_data`` id 1: a varint row count,
    then the columns' token totals); ``count(*)`` reads every row (25 ms at 100,000 documents)."""
    block = connection.execute(_AVERAGES).scalar()
    if not block:
        return connection.execute(_COUNT).scalar_one()
    value = 0
    for position, byte in enumerate(block[:9]):  # SQLite's varint: 7 bits a byte, the ninth byte whole
        if position == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value
    return value


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """An FTS5 query ORing the terms; a term weighing 2 appears twice (bm25 sums per query phrase)."""
    phrases = []
    for term in terms:
        phrase = '"' + term.stem.replace('"', '""') + '"' + ("*" if term.prefix else "")
        phrases += [phrase] * max(1, round(term.weight))
    return " OR ".join(phrases)


SQLITE = SqliteIndex()
