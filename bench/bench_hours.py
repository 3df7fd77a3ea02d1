"""Benchmark the business calendar: next openings and 120-minute SLA due times per second.

Random UTC instants over 2025–2035, one core (one process, one thread), tables built
before timing (a running service builds them once). Not part of the tests.

    .venv/bin/python bench/bench_hours.py [--n 200000] [--seed 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bot.domain.hours.calendar import BusinessCalendar  # noqa: E402

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
SPAN_S = int((datetime(2036, 1, 1, tzinfo=timezone.utc) - START).total_seconds())


def instants(n: int, seed: int) -> list[datetime]:
    """``n`` random aware UTC instants, to the second, over 2025–2035."""
    rng = random.Random(seed)
    return [START + timedelta(seconds=rng.randrange(SPAN_S)) for _ in range(n)]


def rate(operation, points: list[datetime], repeats: int) -> float:
    """Best-of-``repeats`` operations per second over ``points``."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        for point in points:
            operation(point)
        best = min(best, time.perf_counter() - began)
    return len(points) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="random instants per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per operation; the best counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)

    calendar = BusinessCalendar()
    began = time.perf_counter()
    calendar.prepare(2025, 2035)
    build_ms = (time.perf_counter() - began) * 1000
    points = instants(args.n, args.seed)
    results = {
        "next_opening_per_s": rate(calendar.next_opening, points, args.repeats),
        "sla_due_120_per_s": rate(lambda t: calendar.add_business_minutes(t, 120), points, args.repeats),
        "is_open_per_s": rate(calendar.is_open, points, args.repeats),
        "business_minutes_between_per_s": rate(
            lambda t: calendar.business_minutes_between(t, t + timedelta(days=3)), points, args.repeats
        ),
    }
    meta = {"instants": args.n, "years": "2025-2035", "build_ms": round(build_ms, 1),
            "python": platform.python_version(), "machine": platform.machine()}
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged["calendar"] = {**meta, **{k: round(v) for k, v in results.items()}}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    print(f"business calendar, {args.n} random instants over 2025–2035, Python {meta['python']}")
    print(f"  {'table build (2025–2037)':<32} {build_ms:>12.1f} ms")
    for name, value in results.items():
        print(f"  {name.removesuffix('_per_s'):<32} {value:>12,.0f} /s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
