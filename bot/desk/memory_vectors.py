"""Similar solved cases by meaning: nearest neighbours among the closed cases' vectors.

Each closed case is embedded once (subject and the fresh text of its
messages, ``embed_missing``, run by a periodic job and by ``ticket embed``);
every process keeps the vectors in memory and searches them by brute force
(100,000 cases: one 100,000 × 384 product, a few milliseconds).

Language centring. A multilingual model still puts texts of one language
closer together: a Swedish question is nearer to any Swedish case than to the
English case that answers it. Subtracting each language's mean vector (over
the desk's own cases) from the vectors of that language removes most of this
offset; what is left is the topic. The query is centred with the mean of its
own language (the ticket's, or guessed from stop words). The score is the
cosine of the centred vectors: about 0 for an unrelated case, and it rises
with shared meaning in either language.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk import memory_model
from bot.domain.text.analysis import guess_language
from storage.models import Ticket
from storage.search import vectors
from storage.search.backend import Hit, documents

MIN_FOR_OWN_MEAN = 20  # cases: a language with fewer is centred with the mean of all
# A cache of this many vectors or more is trusted for TRUST_S seconds before the table is counted again:
# a case closed or purged since then shows (or stays) a few seconds late; smaller ones are checked every time.
TRUST_LARGE = 20_000
TRUST_S = 10.0
BATCH = 32


def case_text(subject: str, texts: list[str]) -> str:
    """What is embedded of a past case: its subject and the fresh text of its messages."""
    return "\n".join([subject, *texts])


def embed_missing(session: Session, limit: int = 256) -> int:
    """Embed up to ``limit`` closed cases that have no vector yet, in the caller's transaction; return how many."""
    ids = vectors.missing(session, limit)
    done = 0
    for start in range(0, len(ids), BATCH):
        rows = documents(session, ids[start:start + BATCH])
        matrix = memory_model.embed_passages([case_text(subject, texts) for _, _, subject, texts in rows])
        vectors.save(session, [(ticket_id, language, matrix[i]) for i, (ticket_id, language, _, _) in enumerate(rows)])
        done += len(rows)
    return done


@dataclass
class _Loaded:
    ids: np.ndarray
    languages: np.ndarray
    raw: np.ndarray          # as stored (normalised)
    centred: np.ndarray      # centred per language and normalised again
    means: dict[str, np.ndarray]
    state: tuple[int, int]
    checked: float = 0.0  # monotonic time the state was last compared with the table


class VectorIndex:
    """One process's copy of ``case_vectors``, refreshed when the table's count or highest id changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[str, _Loaded] = {}  # by database URL

    def nearest(self, session: Session, query: np.ndarray, language: str, k: int) -> list[Hit]:
        loaded = self._current(session)
        if loaded is None or not len(loaded.ids):
            return []
        centred = _normalise(query - loaded.means.get(language, loaded.means["*"]))
        scores = loaded.centred @ centred
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [Hit(int(loaded.ids[i]), float(scores[i])) for i in top]

    def size(self, session: Session) -> int:
        loaded = self._current(session)
        return len(loaded.ids) if loaded else 0

    def _current(self, session: Session) -> _Loaded | None:
        key = session.get_bind().url.render_as_string(hide_password=True)
        loaded = self._loaded.get(key)
        if loaded is not None and len(loaded.ids) >= TRUST_LARGE and time.monotonic() - loaded.checked < TRUST_S:
            return loaded  # counting a large table reads all of it (1.5 s at 100,000 vectors on SQLite)
        state = vectors.state(session)
        with self._lock:
            loaded = self._loaded.get(key)
            if loaded is not None and loaded.state == state:
                loaded.checked = time.monotonic()
                return loaded
            if loaded is not None and state[0] > loaded.state[0] and state[1] > loaded.state[1]:
                ids, languages, matrix = vectors.load(session, loaded.state[1])
                if len(ids) == state[0] - loaded.state[0]:  # only new, higher ids: append
                    loaded = _build(np.concatenate([loaded.ids, ids]),
                                    np.concatenate([loaded.languages, np.asarray(languages)]),
                                    np.vstack([loaded.raw, matrix]), state)
                    self._loaded[key] = loaded
                    return loaded
            ids, languages, matrix = vectors.load(session)
            loaded = _build(ids, np.asarray(languages), matrix, state) if len(ids) else None
            if loaded is not None:
                self._loaded[key] = loaded
            return loaded


def _build(ids: np.ndarray, languages: np.ndarray, raw: np.ndarray, state: tuple[int, int]) -> _Loaded:
    means = {"*": raw.mean(axis=0)}
    for language in set(languages.tolist()):
        rows = languages == language
        if rows.sum() >= MIN_FOR_OWN_MEAN:
            means[language] = raw[rows].mean(axis=0)
    centred = raw - np.stack([means.get(language, means["*"]) for language in languages.tolist()])
    return _Loaded(ids, languages, raw, _normalise(centred), means, state, time.monotonic())


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


INDEX = VectorIndex()


def similar_hits(session: Session, subject: str, text: str, language: str | None, k: int,
                 exclude_ticket_id: int | None = None) -> list[Hit] | None:
    """Closed cases nearest to the new case, best first; None when the model or the vectors are not there."""
    if not memory_model.available() or INDEX.size(session) == 0:
        return None
    query = memory_model.embed_query(case_text(subject, [text] if text else []))
    hits = INDEX.nearest(session, query, language or guess_language(f"{subject}\n{text}"), k + 10)
    closed = set(session.execute(select(Ticket.id).where(
        Ticket.id.in_([hit.ticket_id for hit in hits]), Ticket.status == "closed")).scalars())
    return [hit for hit in hits if hit.ticket_id in closed and hit.ticket_id != exclude_ticket_id][:k]
