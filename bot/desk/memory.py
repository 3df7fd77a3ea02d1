"""The desk's memory, read side: search all tickets, and find similar solved cases.

Similar cases are asked with a new case's subject and fresh text. The query
(bot/domain/text/analysis.py) stems every word as Swedish and as English, so a
Swedish question also meets an English case that shares its terms; subject
terms weigh double; stems of five letters or more also match longer words
(``lösenord`` finds ``lösenordsbyte``, Swedish compounds that begin with it);
and a long query word that the index does not know is split into two stems it
does know (``lösenordsbyte`` → ``lösenord`` + ``byte``): decompounding against
the index's own vocabulary, no dictionary. The most selective terms are kept
(the engine's document counts), so a long mail stays one fast query.

The score is the engine's own (bm25 on SQLite, ts_rank on PostgreSQL) divided
by what the query's own text would score, so it reads alike on both back
ends: about 1 for a case that says the same, 0 for one sharing nothing.
Suggestions below ``min_score`` are not shown: better nothing than noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.memory_vectors import similar_hits
from bot.domain.text.analysis import QueryTerm, compound_splits, content_words, first_sentence, query_terms, stems
from storage.models import Organisation, Ticket, TicketMessage
from storage.search.backend import Filters, Hit, backend_for

MAX_TERMS = 24
# A large index leaves out of the query the terms that many documents hold: ranking every one of those
# documents is what makes a query slow at 100,000 cases (FTS5's bm25 and PostgreSQL's ts_rank score each
# match), and such a term says little about which case is alike (bm25 weighs it low; ts_rank, which has no
# IDF, would even let it dominate). Below ``COMMON_FLOOR`` documents a term is never left out.
COMMON_SHARE = 0.02
COMMON_FLOOR = 400
COMPOUND_MIN = 9  # letters; shorter words are rarely compounds worth splitting
CANDIDATES = 20


@dataclass(frozen=True)
class Case:
    """A ticket found by search or similarity, with what the card and the CLI show."""

    ticket_id: int
    reference: str
    external_reference: str | None
    subject: str
    status: str
    closed_at: datetime | None
    score: float
    answer: str  # the first sentence of the agent's final reply ("" when there is none)

    def as_json(self) -> dict:
        return {"reference": self.reference, "external_reference": self.external_reference,
                "subject": self.subject, "closed_at": self.closed_at.isoformat() if self.closed_at else None,
                "score": round(self.score, 3)}


def similar_cases(session: Session, subject: str, text: str, *, limit: int = 3, min_score: float = 0.0,
                  exclude_ticket_id: int | None = None, embeddings: bool = False, min_similarity: float = 0.0,
                  language: str | None = None) -> list[Case]:
    """Closed cases like the one described by ``subject`` and ``text``, best first.

    With ``embeddings`` (and the model and some case vectors there) by meaning
    (bot/desk/memory_vectors.py), keeping those from ``min_similarity`` up;
    otherwise by full-text relevance, keeping those from ``min_score`` up.
    """
    if embeddings:
        found = similar_hits(session, subject, text, language, CANDIDATES, exclude_ticket_id)
        if found is not None:
            return describe(session, [hit for hit in found if hit.score >= min_similarity][:limit])
    terms = plan_query(session, subject, text)
    filters = Filters(closed_only=True, exclude_ticket_id=exclude_ticket_id)
    hits = [hit for hit in _normalised(session, terms, filters, CANDIDATES) if hit.score >= min_score]
    return describe(session, hits[:limit])


def similar_to_ticket(session: Session, reference: str, *, limit: int = 3, min_score: float = 0.0,
                      embeddings: bool = False, min_similarity: float = 0.0) -> list[Case] | None:
    """Closed cases like ticket ``reference`` (its subject and first customer message); None if there is no such ticket."""
    ticket = session.execute(select(Ticket).where(Ticket.reference == reference.strip().upper())).scalar_one_or_none()
    if ticket is None:
        return None
    return similar_cases(session, ticket.subject, opening_text(session, ticket.id), limit=limit,
                         min_score=min_score, exclude_ticket_id=ticket.id, embeddings=embeddings,
                         min_similarity=min_similarity, language=ticket.language)


def opening_text(session: Session, ticket_id: int) -> str:
    """The fresh text of the ticket's first inbound message ("" if none)."""
    row = session.execute(select(TicketMessage.stripped_text, TicketMessage.text).where(
        TicketMessage.ticket_id == ticket_id, TicketMessage.direction == "inbound").order_by(TicketMessage.id)
        .limit(1)).first()
    if row is None:
        return ""
    return row.stripped_text if row.stripped_text is not None else row.text


def search(session: Session, words: str, *, status: str | None = None, organisation: str | None = None,
           limit: int = 10) -> list[Case]:
    """Tickets (any status unless ``status``) matching ``words``, best first."""
    organisation_id = None
    if organisation:
        organisation_id = session.execute(select(Organisation.id).where(Organisation.number == organisation)).scalar()
        if organisation_id is None:
            return []
    terms = plan_query(session, "", words)
    filters = Filters(status=status, organisation_id=organisation_id)
    return describe(session, _normalised(session, terms, filters, limit))


def plan_query(session: Session, subject: str, text: str) -> list[QueryTerm]:
    """The query's terms, compounds split against the index vocabulary, the most selective ``MAX_TERMS`` kept
    (and on a large index none that more than ``COMMON_SHARE`` of the documents hold)."""
    backend = backend_for(session)
    terms = query_terms(subject, text)
    terms += _compound_parts(session, subject, text, {term.stem for term in terms})
    total, frequencies = backend.document_frequencies(session, [term.stem for term in terms])
    ranked = sorted(terms, key=lambda term: -term.weight * _idf(total, frequencies.get(term.stem, 0)))
    common = max(COMMON_SHARE * total, COMMON_FLOOR)
    selective = [term for term in ranked if frequencies.get(term.stem, 0) <= common]
    return (selective or ranked[:3])[:MAX_TERMS]


def _compound_parts(session: Session, subject: str, text: str, known: set[str]) -> list[QueryTerm]:
    backend = backend_for(session)
    long_words = sorted({word for word in content_words(f"{subject}\n{text}", "sv") if len(word) >= COMPOUND_MIN})
    candidates = {word: [(head, tail) for head, tail in compound_splits(word)] for word in long_words}
    parts = sorted({stem for splits in candidates.values() for split in splits for stem in stems(list(split), "sv")})
    if not parts:
        return []
    vocabulary = backend.known(session, parts)
    found: list[QueryTerm] = []
    for word, splits in candidates.items():
        for head, tail in splits:
            head_stem, tail_stem = stems([head, tail], "sv")
            if head_stem in vocabulary and tail_stem in vocabulary:
                found += [QueryTerm(stem, 0.5, False) for stem in (head_stem, tail_stem) if stem not in known]
                break
    return found


def _idf(total: int, frequency: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _normalised(session: Session, terms: list[QueryTerm], filters: Filters, limit: int) -> list[Hit]:
    backend = backend_for(session)
    hits = backend.match(session, terms, filters, limit)
    ceiling = backend.self_score(session, terms)
    return [Hit(hit.ticket_id, hit.score / ceiling if ceiling > 0 else 0.0) for hit in hits]


def describe(session: Session, hits: list[Hit]) -> list[Case]:
    """The cases behind ``hits``, in their order, with the first sentence of each one's final agent reply."""
    if not hits:
        return []
    ids = [hit.ticket_id for hit in hits]
    rows = {row.id: row for row in session.execute(
        select(Ticket.id, Ticket.reference, Ticket.external_reference, Ticket.subject, Ticket.status,
               Ticket.closed_at).where(Ticket.id.in_(ids)))}
    answers: dict[int, str] = {}
    replies = session.execute(
        select(TicketMessage.ticket_id, TicketMessage.stripped_text, TicketMessage.text)
        .where(TicketMessage.ticket_id.in_(ids), TicketMessage.direction == "outbound",
               TicketMessage.automatic.is_(False)).order_by(TicketMessage.id))
    for ticket_id, stripped, text in replies:
        value = stripped if stripped is not None else text
        if value and value.strip():
            answers[ticket_id] = first_sentence(value)
    return [Case(hit.ticket_id, rows[hit.ticket_id].reference, rows[hit.ticket_id].external_reference,
                 rows[hit.ticket_id].subject, rows[hit.ticket_id].status, rows[hit.ticket_id].closed_at, hit.score,
                 answers.get(hit.ticket_id, "")) for hit in hits if hit.ticket_id in rows]
