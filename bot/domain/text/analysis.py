"""Words → index terms and query terms, the same on SQLite and PostgreSQL.

Stems come from PyStemmer, the C build of the Snowball stemmers that
PostgreSQL's ``swedish`` and ``english`` text search configurations use, so a
term stemmed here equals the lexeme PostgreSQL stores (``licenserna`` →
``licens`` on both). The stop word lists are the Snowball lists PostgreSQL
ships (``tsearch_data/{swedish,english}.stop``), copied into ``stopwords/``.

A query does not know its language for sure, and a Swedish question may have
its answer in an English case: every query word is stemmed in both languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

LANGUAGES = ("sv", "en")
_SNOWBALL = {"sv": "swedish", "en": "english"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_MIN_LENGTH = 2
_MAX_LENGTH = 40  # longer "words" are hashes, base64 or URLs: noise in an index


@lru_cache(maxsize=None)
def stopwords(language: str) -> frozenset[str]:
    """The Snowball stop words of ``language`` (lower case)."""
    path = Path(__file__).with_name("stopwords") / f"{language}.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


@lru_cache(maxsize=None)
def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer(_SNOWBALL[language])
    stemmer.maxCacheSize = 50_000
    return stemmer


def words(text: str) -> list[str]:
    """The lower-case words of ``text`` (letters and digits; 2–40 characters)."""
    return [word for word in _WORD.findall(text.lower()) if _MIN_LENGTH <= len(word) <= _MAX_LENGTH]


def content_words(text: str, language: str) -> list[str]:
    """``words`` without ``language``'s stop words."""
    stop = stopwords(language)
    return [word for word in words(text) if word not in stop]


def stems(words_: list[str], language: str) -> list[str]:
    """The Snowball stems of ``words_`` in ``language``."""
    return _stemmer(language).stemWords(words_)


def index_text(text: str, language: str) -> str:
    """``text`` as the SQLite index stores it: stems of its content words, space-separated."""
    return " ".join(stems(content_words(text, language), language))


@dataclass(frozen=True)
class QueryTerm:
    """One term of a similarity query: a stem, how much it counts, and whether longer words may match it."""

    stem: str
    weight: float
    prefix: bool


PREFIX_MIN = 5  # stems this long also match longer words: "lösenord" finds "lösenordsbyte"


def query_terms(subject: str, text: str, *, subject_weight: float = 2.0) -> list[QueryTerm]:
    """Terms for a query made of a case's subject and fresh text; subject terms weigh ``subject_weight``.

    Each word is stemmed as Swedish and as English (the query's language is a
    guess, and the answer may be in the other language); a word that is a stop
    word in either language is dropped.
    """
    stop = stopwords("sv") | stopwords("en")
    weights: dict[str, float] = {}
    for part, weight in ((subject, subject_weight), (text, 1.0)):
        found = [word for word in words(part) if word not in stop and not word.isdigit()]
        for language in LANGUAGES:
            for stem in stems(found, language):
                weights[stem] = max(weights.get(stem, 0.0), weight)
    return [QueryTerm(stem, weight, len(stem) >= PREFIX_MIN) for stem, weight in weights.items()]


def compound_splits(word: str, min_part: int = 4) -> list[tuple[str, str]]:
    """Ways to read a Swedish compound as head + tail ("lösenordsbyte" → ("lösenord", "byte"), …).

    Only candidates: the caller keeps the splits whose two stems the index knows.
    A linking ``s`` between the parts (fogemorfem) is tried both ways.
    """
    splits = []
    for cut in range(min_part, len(word) - min_part + 1):
        head, tail = word[:cut], word[cut:]
        splits.append((head, tail))
        if head.endswith("s") and len(head) > min_part:
            splits.append((head[:-1], tail))
    return splits


def first_sentence(text: str, limit: int = 200) -> str:
    """The first sentence of ``text`` (after a greeting line), at most ``limit`` characters."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 1 and len(lines[0]) <= 40 and lines[0].endswith((",", "!")):
        lines = lines[1:]  # "Hej Anna," / "Hi Bob,"
    flat = " ".join(lines)
    match = re.search(r"(.+?[.!?])(\s|$)", flat)
    sentence = match.group(1) if match else flat
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


def guess_language(text: str) -> str:
    """``sv`` or ``en``: whichever language's stop words ``text`` has more of (``sv`` on a tie, the desk's default)."""
    found = words(text)
    swedish = sum(1 for word in found if word in stopwords("sv"))
    english = sum(1 for word in found if word in stopwords("en"))
    return "en" if english > swedish else "sv"
