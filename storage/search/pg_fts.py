"""The index on PostgreSQL: ``ticket_search.document`` (tsvector, GIN), ranked by ts_rank.

The document is built by PostgreSQL itself with the ticket's language
(``swedish`` or ``english``): the subject weighted A, messages B. Query terms
arrive already stemmed by the same Snowball stemmers (bot/domain/text/analysis.py)
and go in through the ``simple`` configuration, which leaves them as they are:
a Swedish query then also finds an English case that shares its words.
Document frequencies come from PostgreSQL's own statistics of the column
(``pg_stats.most_common_elems``, kept by ANALYZE/autovacuum), read at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.domain.text.analysis import QueryTerm
from storage.search.backend import Filters, Hit, documents, filter_sql

CONFIGS = {"sv": "swedish", "en": "english"}
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B (messages), A (subject)
_STATS_TTL_S = 60.0

_UPSERT = text(
    "INSERT INTO ticket_search (ticket_id, document) VALUES (:id, "
    "setweight(to_tsvector(CAST(:config AS regconfig), :subject), 'A') || "
    "setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B')) "
    "ON CONFLICT (ticket_id) DO UPDATE SET document = ticket_search.document || "
    "setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B')")
_DELETE = text("DELETE FROM ticket_search WHERE ticket_id = ANY(:ids)")
_STATS = text("SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs FROM pg_stats "
              "WHERE tablename = 'ticket_search' AND attname = 'document' AND schemaname = current_schema()")
_ESTIMATE = text("SELECT reltuples FROM pg_class WHERE oid = CAST('ticket_search' AS regclass)")
_COUNT = text("SELECT count(*) FROM ticket_search")
# Whether any document holds each stem: one GIN probe each, stopping at the first row.
_KNOWN = text("SELECT stem FROM unnest(CAST(:stems AS text[])) AS stem WHERE EXISTS ("
              "SELECT 1 FROM ticket_search WHERE document @@ CAST(quote_literal(stem) AS tsquery))")
_EXACT_DF = text("SELECT stem, (SELECT count(*) FROM ticket_search WHERE document @@ CAST(quote_literal(stem) AS tsquery)) "
                 "FROM unnest(CAST(:stems AS text[])) AS stem")
EXACT_BELOW = 20_000  # documents: below this, counting beats statistics that ANALYZE may not have gathered yet


class PostgresIndex:
    def __init__(self) -> None:
        self._stats: tuple[float, int, dict[str, float]] | None = None

    def add(self, session: Session, ticket_id: int, language: str, subject: str, body: str) -> None:
        session.connection().execute(_UPSERT, {"id": ticket_id, "config": CONFIGS.get(language, "swedish"),
                                               "subject": subject, "body": body})

    def reindex(self, session: Session, ticket_ids: Sequence[int]) -> int:
        rebuilt = 0
        for start in range(0, len(ticket_ids), 500):
            part = ticket_ids[start:start + 500]
            session.connection().execute(_DELETE, {"ids": list(part)})
            for ticket_id, language, subject, texts in documents(session, part):
                self.add(session, ticket_id, language, subject, "\n".join(texts))
                rebuilt += 1
        return rebuilt

    def remove(self, session: Session, ticket_ids: Sequence[int]) -> int:
        return session.connection().execute(_DELETE, {"ids": list(ticket_ids)}).rowcount

    def document_frequencies(self, session: Session, stems: Sequence[str]) -> tuple[int, dict[str, int]]:
        total, frequencies = self._statistics(session)
        if total < EXACT_BELOW:
            return total, dict(session.connection().execute(_EXACT_DF, {"stems": list(stems)}).all())
        return total, {stem: round(frequencies.get(stem, 0.0) * total) for stem in stems}

    def known(self, session: Session, stems: Sequence[str]) -> set[str]:
        rows = session.connection().execute(_KNOWN, {"stems": list(stems)})
        return {row[0] for row in rows}

    def self_score(self, session: Session, terms: Sequence[QueryTerm]) -> float:
        """What ``match`` would score for a document that is the query itself, all in the subject."""
        if not terms:
            return 0.0
        document = " ".join(term.stem for term in terms)
        boosted = [term for term in terms if term.weight > 1]
        rank = f"ts_rank('{RANK_WEIGHTS}', setweight(to_tsvector('simple', :document), 'A'), to_tsquery('simple', :q))"
        parameters = {"document": document, "q": tsquery(terms)}
        if boosted:
            rank += (f" + ts_rank('{RANK_WEIGHTS}', setweight(to_tsvector('simple', :document), 'A'), "
                     "to_tsquery('simple', :boosted))")
            parameters["boosted"] = tsquery(boosted)
        return float(session.connection().execute(text(f"SELECT {rank}"), parameters).scalar_one())

    def _statistics(self, session: Session) -> tuple[int, dict[str, float]]:
        connection = session.connection()
        if self._stats is None or time.monotonic() - self._stats[0] > _STATS_TTL_S:
            estimate = connection.execute(_ESTIMATE).scalar_one() or 0
            if estimate < EXACT_BELOW:  # a small index: count now, it changes fast and ANALYZE may lag
                return connection.execute(_COUNT).scalar_one(), {}
            row = connection.execute(_STATS).first()
            frequencies = dict(zip(row.elems, row.freqs)) if row and row.elems else {}
            self._stats = (time.monotonic(), int(estimate), frequencies)
        return self._stats[1], self._stats[2]

    def match(self, session: Session, terms: Sequence[QueryTerm], filters: Filters, limit: int) -> list[Hit]:
        if not terms:
            return []
        where, parameters = filter_sql(filters)
        everything = tsquery(terms)
        boosted = [term for term in terms if term.weight > 1]
        rank = f"ts_rank('{RANK_WEIGHTS}', document, to_tsquery('simple', :query))"
        if boosted:
            rank += f" + ts_rank('{RANK_WEIGHTS}', document, to_tsquery('simple', :boosted))"
            parameters["boosted"] = tsquery(boosted)
        statement = text(
            f"SELECT ticket_search.ticket_id AS id, {rank} AS score "
            "FROM ticket_search JOIN tickets ON tickets.id = ticket_search.ticket_id "
            f"WHERE document @@ to_tsquery('simple', :query){where} ORDER BY score DESC LIMIT :limit")
        rows = session.connection().execute(statement, {"query": everything, "limit": limit, **parameters})
        return [Hit(row.id, float(row.score)) for row in rows]


def tsquery(terms: Sequence[QueryTerm]) -> str:
    """The terms ORed as tsquery text; a prefix term as ``'stem':*``."""
    return " | ".join("'" + term.stem.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if term.prefix else "")
                      for term in terms)


POSTGRES = PostgresIndex()
