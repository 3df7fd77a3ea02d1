"""What both index back ends offer, and which one a session's database uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.domain.text.analysis import QueryTerm
from storage.models import Ticket, TicketMessage


@dataclass(frozen=True)
class Hit:
    ticket_id: int
    score: float  # the engine's relevance, higher is better (bm25 negated on SQLite, ts_rank on PostgreSQL)


@dataclass(frozen=True)
class Filters:
    closed_only: bool = False
    status: str | None = None
    organisation_id: int | None = None
    exclude_ticket_id: int | None = None


class Backend(Protocol):
    def add(self, session: Session, ticket_id: int, language: str, subject: str, text: str) -> None: ...
    def reindex(self, session: Session, ticket_ids: Sequence[int]) -> int: ...
    def remove(self, session: Session, ticket_ids: Sequence[int]) -> int: ...
    def document_frequencies(self, session: Session, stems: Sequence[str]) -> tuple[int, dict[str, int]]: ...
    def known(self, session: Session, stems: Sequence[str]) -> set[str]: ...
    def self_score(self, session: Session, terms: Sequence[QueryTerm]) -> float: ...
    def match(self, session: Session, terms: Sequence[QueryTerm], filters: Filters, limit: int) -> list[Hit]: ...


def backend_for(session: Session) -> Backend:
    """The index back end of ``session``'s database."""
    if session.get_bind().dialect.name == "postgresql":
        from storage.search.pg_fts import POSTGRES
        return POSTGRES
    from storage.search.sqlite_fts import SQLITE
    return SQLITE


_T, _M = Ticket.__table__, TicketMessage.__table__
_DOCUMENT_SOURCES = select(_T.c.id, _T.c.language, _T.c.subject).where(_T.c.id.in_(bindparam("ids", expanding=True)))
_MESSAGE_TEXTS = select(_M.c.ticket_id, _M.c.stripped_text, _M.c.text).where(
    _M.c.ticket_id.in_(bindparam("ids", expanding=True)), _M.c.automatic.is_(False)).order_by(_M.c.id)


def documents(session: Session, ticket_ids: Sequence[int]) -> list[tuple[int, str, str, list[str]]]:
    """(ticket id, language, subject, message texts) of these tickets, from what is stored now."""
    connection = session.connection()
    texts: dict[int, list[str]] = {}
    for ticket_id, stripped, text in connection.execute(_MESSAGE_TEXTS, {"ids": list(ticket_ids)}):
        value = stripped if stripped is not None else text
        if value and value.strip():
            texts.setdefault(ticket_id, []).append(value)
    rows = connection.execute(_DOCUMENT_SOURCES, {"ids": list(ticket_ids)}).all()
    return [(row.id, row.language, row.subject, texts.get(row.id, [])) for row in rows]


def filter_sql(filters: Filters) -> tuple[str, dict]:
    """``AND …`` clauses on ``tickets`` for ``filters``, and their parameters."""
    clauses, parameters = [], {}
    if filters.closed_only:
        clauses.append("tickets.status = 'closed'")
    if filters.status:
        clauses.append("tickets.status = :status")
        parameters["status"] = filters.status
    if filters.organisation_id is not None:
        clauses.append("tickets.organisation_id = :organisation_id")
        parameters["organisation_id"] = filters.organisation_id
    if filters.exclude_ticket_id is not None:
        clauses.append("tickets.id != :exclude")
        parameters["exclude"] = filters.exclude_ticket_id
    return "".join(f" AND {clause}" for clause in clauses), parameters
