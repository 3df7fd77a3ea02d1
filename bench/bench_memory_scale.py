"""The desk's memory at scale: import, index build, similar-case lookup over 100,000 closed cases, write overhead.

    python bench/bench_memory_scale.py [--cases 100000] [--import-cases 10000] [--queries 200]
                                       [--pg-url URL | --no-pg] [--json FILE]

Per back end, in a fresh database:
- ``memory_import_10k_s_<db>``: `ticket import`'s code on 10,000 synthetic closed cases (bench/memory_corpus.py;
  target: under a minute).
- ``memory_index_build_100k_s_<db>``: the rest of the 100,000 cases are written with plain multi-row INSERTs
  (the import's speed is measured above), then the whole index is rebuilt from the stored messages
  (``storage.search.reindex`` over 100,000 tickets: what migration 0005 does to an existing desk).
- ``memory_similar_fts_p50_ms/p95_ms_<db>``: `similar` on the full-text path, the labelled set's queries and
  variations of them, over the 100,000 closed cases (target p95 < 30 ms).
- ``memory_similar_embed_*``: the embedding path over 100,000 stored vectors (the labelled cases' real vectors
  with noise: the search costs the same whatever the vectors say): the query's embedding alone, and the
  nearest-neighbour search with reading the cases, and the cache's first load.
- ``memory_index_write_ms_<db>``: the index's share of appending one message (the mean time of
  ``storage.search.add_message`` on the 100,000-case index), and ``memory_ingest_drop_pct_<db>``: that share of
  the time per mail of `make bench`'s ingest figure (``ingest_msgs_per_s`` in the JSON file; target < 10 %).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.memory_corpus import labelled_cases, synthetic_lines  # noqa: E402
from bench.memory_desk import T0, fresh_database, import_lines, load_set  # noqa: E402
from bot.desk import memory_model  # noqa: E402
from bot.desk.memory import similar_cases  # noqa: E402
from bot.desk.memory_vectors import INDEX  # noqa: E402
from storage import search  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import Organisation, Ticket, TicketMessage  # noqa: E402
from storage.search import vectors  # noqa: E402

DEFAULT_PG = os.environ.get("SUPPORTBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def bulk_cases(session, lines: list[str], first_number: int) -> None:
    """Tickets and messages of ``lines`` with multi-row INSERTs, not indexed (the index is rebuilt afterwards)."""
    organisation_id = session.scalar(select(Organisation.id))
    tickets, texts = [], []
    for offset, line in enumerate(lines):
        case = json.loads(line)
        number = first_number + offset
        tickets.append({"reference": f"BK-{number:07d}", "subject": case["subject"], "status": "closed", "line": 1,
                        "priority": "normal", "origin": "email", "organisation_id": organisation_id,
                        "external_reference": case["external_reference"], "reply_token": f"bulk{number}",
                        "language": case["language"], "created_at": T0, "updated_at": T0,
                        "closed_at": T0 + timedelta(hours=3)})
        texts.append([(message["from"], message["text"]) for message in case["messages"]])
    ids = session.connection().execute(Ticket.__table__.insert().returning(Ticket.__table__.c.id,
                                                                           sort_by_parameter_order=True),
                                       tickets).scalars().all()
    rows = [{"ticket_id": ticket_id, "direction": "inbound" if sender == "customer" else "outbound",
             "channel": "email", "visibility": "customer", "automatic": False, "text": text, "stripped_text": text,
             "created_at": T0} for ticket_id, messages in zip(ids, texts) for sender, text in messages]
    session.connection().execute(TicketMessage.__table__.insert(), rows)


def queries() -> list[tuple[str, str]]:
    """The labelled set's queries and its cases' subjects and texts as new questions."""
    asked = [(topic["query"]["subject"], topic["query"]["text"]) for topic in load_set()]
    return asked + [(case["subject"], case["text"]) for case in labelled_cases()]


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def run(backend: str, url: str, total: int, imported: int, n_queries: int, ingest_rate: float | None) -> dict:
    results: dict = {}
    started = time.perf_counter()
    import_lines(url, synthetic_lines(imported))
    results[f"memory_import_{imported // 1000}k_s_{backend}"] = round(time.perf_counter() - started, 1)

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        for start in range(imported, total, 10_000):
            bulk_cases(session, synthetic_lines(min(10_000, total - start), seed=start, prefix=f"B{start}"), start)
        session.commit()
        ids = list(session.scalars(select(Ticket.id)))
        started = time.perf_counter()
        search.reindex(session, ids)
        session.commit()
        results[f"memory_index_build_{total // 1000}k_s_{backend}"] = round(time.perf_counter() - started, 1)
    if backend == "postgresql":  # what autovacuum does after a bulk load: statistics, and the GIN pending list merged
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE tickets")
            connection.exec_driver_sql("VACUUM ANALYZE ticket_search")

    asked = queries()
    rng = random.Random(7)
    picks = [asked[rng.randrange(len(asked))] for _ in range(n_queries)]
    with sessions() as session:
        similar_cases(session, *picks[0])  # warm the caches, as a running service has them
        times = [timed(lambda q=q: similar_cases(session, *q, limit=3)) for q in picks]
    results[f"memory_similar_fts_p50_ms_{backend}"] = round(statistics.median(times), 1)
    results[f"memory_similar_fts_p95_ms_{backend}"] = round(percentile(times, 0.95), 1)

    if memory_model.available():
        results.update(embedding_path(sessions, backend, ids, picks))

    with sessions() as session:
        targets = [session.get(Ticket, ticket_id) for ticket_id in rng.sample(ids, 300)]
        texts = [rng.choice(asked)[1] for _ in targets]
        writes = [timed(lambda t=t, x=x: search.add_message(session, t, x)) for t, x in zip(targets, texts)]
        session.rollback()
    write_ms = statistics.mean(writes)
    results[f"memory_index_write_ms_{backend}"] = round(write_ms, 3)
    if ingest_rate:
        results[f"memory_ingest_drop_pct_{backend}"] = round(100 * write_ms / (1000 / ingest_rate), 1)
    engine.dispose()
    return results


def embedding_path(sessions, backend: str, ids: list[int], picks: list[tuple[str, str]]) -> dict:
    rng = np.random.default_rng(20)
    cases = labelled_cases()
    real = memory_model.embed_passages([f"{case['subject']}\n{case['text']}" for case in cases])
    with sessions() as session:
        for start in range(0, len(ids), 10_000):
            part = ids[start:start + 10_000]
            base = real[rng.integers(0, len(real), len(part))]
            noisy = base + rng.normal(0, 0.02, base.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            vectors.save(session, [(ticket_id, cases[i % len(cases)]["lang"], noisy[i])
                                   for i, ticket_id in enumerate(part)])
        session.commit()
    with sessions() as session:
        load_ms = timed(lambda: INDEX.size(session))
        query_ms = [timed(lambda q=q: memory_model.embed_query(f"{q[0]}\n{q[1]}")) for q in picks[:50]]
        whole_ms = [timed(lambda q=q: similar_cases(session, *q, limit=3, embeddings=True)) for q in picks[:50]]
    search_ms = [whole - query for whole, query in zip(whole_ms, query_ms)]
    return {f"memory_vectors_load_ms_{backend}": round(load_ms),
            f"memory_similar_embed_p50_ms_{backend}": round(statistics.median(whole_ms), 1),
            f"memory_similar_embed_p95_ms_{backend}": round(percentile(whole_ms, 0.95), 1),
            f"memory_query_embedding_p95_ms_{backend}": round(percentile(query_ms, 0.95), 1),
            f"memory_vector_search_p95_ms_{backend}": round(percentile(search_ms, 0.95), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--import-cases", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--json", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    merged = json.loads(args.json.read_text()) if args.json and args.json.exists() else {}
    results: dict = {}
    for backend in ("sqlite",) + (() if args.no_pg else ("postgresql",)):
        with fresh_database(backend, args.pg_url) as url:
            results.update(run(backend, url, args.cases, args.import_cases, args.queries,
                               merged.get("ingest_msgs_per_s")))
    print(f"The desk's memory at scale ({args.cases:,} closed cases):")
    for key, value in results.items():
        print(f"  {key:<42} {value}")
    if args.json:
        merged.update(results)
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
