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

    def document_frequencies(self, session: Session, stems: Sequence[str]) -> tuple[int, dict[str, int]]:
        connection = session.connection()
        found = {stem: connection.execute(_DF, {"term": stem}).scalar() or 0 for stem in stems}
        return connection.execute(_COUNT).scalar_one(), found

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
        where, parameters = filter_sql(filters)
        statement = text(
            f"SELECT ticket_fts.rowid AS id, -bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) AS score "
            "FROM ticket_fts JOIN tickets ON tickets.id = ticket_fts.rowid "
            f"WHERE ticket_fts MATCH :query{where} ORDER BY bm25(ticket_fts, {SUBJECT_WEIGHT}, {BODY_WEIGHT}) "
            "LIMIT :limit")
        rows = session.connection().execute(statement, {"query": match_expression(terms), "limit": limit, **parameters})
        return [Hit(row.id, row.score) for row in rows]


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """An FTS5 query ORing the terms; a term weighing 2 appears twice (bm25 sums per query phrase)."""
    phrases = []
    for term in terms:
        phrase = '"' + term.stem.replace('"', '""') + '"' + ("*" if term.prefix else "")
        phrases += [phrase] * max(1, round(term.weight))
    return " OR ".join(phrases)


SQLITE = SqliteIndex()
