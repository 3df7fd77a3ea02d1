"""Benchmark how fast the light commands start: wall and CPU time of a fresh process.

`supportbot --help`, `version`, `hours status` and `hours next-opening`, each run
``--runs`` times one after the other (min, median and max, hyperfine style); the
CPU time (user + system of the child) is given too, because on a shared machine the
wall time mostly measures the neighbours. `python -c pass` is the floor.

    .venv/bin/python bench/bench_cli.py [--runs 15] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SUPPORTBOT = Path(sys.executable).with_name("supportbot")
COMMANDS = {
    "python": [sys.executable, "-c", "pass"],
    "help": [str(SUPPORTBOT), "--help"],
    "version": [str(SUPPORTBOT), "version"],
    "hours_status": [str(SUPPORTBOT), "hours", "status"],
    "hours_next_opening": [str(SUPPORTBOT), "hours", "next-opening"],
}
TARGET_MS = 300


def timed(argv: list[str], runs: int) -> dict[str, float]:
    """Min/median/max wall and median CPU milliseconds of ``runs`` runs of ``argv`` (after one warm-up)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUPPORTBOT_")}
    subprocess.run(argv, check=True, capture_output=True, env=env)  # warm the page cache and .pyc files
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env=env)
        walls.append((time.perf_counter() - began) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return {"min_ms": round(min(walls), 1), "median_ms": round(statistics.median(walls), 1),
            "max_ms": round(max(walls), 1), "cpu_median_ms": round(statistics.median(cpus), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command (at least 10 for the figures)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)
    figures = {name: timed(command, args.runs) for name, command in COMMANDS.items()}
    load = os.getloadavg()[0]
    for name, row in figures.items():
        verdict = "" if name == "python" else f"  {row['median_ms'] / TARGET_MS:.2f}× the {TARGET_MS} ms target"
        print(f"{name:20} wall min {row['min_ms']:6.0f}  median {row['median_ms']:6.0f}  max {row['max_ms']:6.0f} ms"
              f"  cpu {row['cpu_median_ms']:5.0f} ms{verdict}")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged["cli_start_ms"] = figures["hours_status"]["median_ms"]
        merged["cli_start"] = {**figures, "runs": args.runs, "load_average": round(load, 1)}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
