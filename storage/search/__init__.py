"""The desk's memory: a full-text index of tickets in the database's own engine.

One document per ticket: its subject and the fresh text of every message that a
person wrote (customer mail and chat with quoted history trimmed, agents'
replies without greeting and signature; automatic answers are left out, they
would make every case look like every other). SQLite keeps it in an FTS5 table
(``ticket_fts``, stems from bot/domain/text/analysis.py, ranked by bm25);
PostgreSQL in ``ticket_search.document``, a ``tsvector`` built with the
ticket's language (``swedish``/``english``) under a GIN index, ranked by
``ts_rank``. Both are written in the caller's transaction, so a message and its
index entry commit together.

Beside the documents, ``case_vectors`` (storage/search/vectors.py) keeps a
multilingual embedding of each closed case; retention and re-indexing drop a
ticket's vector with its document, and the embedding job makes it again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from storage.search import vectors
from storage.search.backend import Hit, backend_for

INDEX_TABLE_PREFIXES = ("ticket_fts", "ticket_search", "case_vectors")

__all__ = ["Hit", "INDEX_TABLE_PREFIXES", "add_message", "index_schema_object", "reindex", "remove"]


def add_message(session: Session, ticket, text: str | None) -> None:
    """Add one message's text to ``ticket``'s document (creating it, with the subject, if new)."""
    if text and text.strip():
        backend_for(session).add(session, ticket.id, ticket.language, ticket.subject, text)


def reindex(session: Session, ticket_ids: Iterable[int]) -> int:
    """Rebuild these tickets' documents from the stored subject and messages; return how many.

    Their vectors go (the text they were made from may have changed); the embedding job makes them anew.
    """
    ids = sorted(set(ticket_ids))
    vectors.remove(session, ids)
    return backend_for(session).reindex(session, ids)


def remove(session: Session, ticket_ids: Iterable[int]) -> int:
    """Take these tickets out of the index (retention); return how many documents went."""
    ids = sorted(set(ticket_ids))
    vectors.remove(session, ids)
    return backend_for(session).remove(session, ids)


def index_schema_object(name: str | None) -> bool:
    """Whether a table is the index's (created by migrations 0005/0006 per back end, not by the models)."""
    return bool(name) and name.startswith(INDEX_TABLE_PREFIXES)
