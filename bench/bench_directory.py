"""Benchmark `supportbot directory import`: 5,000 contacts of 1,000 organisations, as the operator runs it.

The file is what Swedish Excel saves: UTF-8 with a byte-order mark, ``;`` between
fields, CRLF, quoted services (``"Lön;Ekonomi"``), Swedish role names and ``ja``.
Each run starts from an empty database and times the whole command (a
subprocess: Python's start, the import, the commit) three times in a row:

- ``first``: everything created;
- ``again``: the same file, everything unchanged (nothing written);
- ``changed``: 10 % of the contacts changed (names, roles, a move to another
  organisation), 5 % left out of the file, with ``--prune`` (they are de-authorised).

Also the import alone, in process (read, check, write, commit), for the first file.
The median of ``--runs`` counts. Target: "a few seconds" for 5,000 contacts.

    .venv/bin/python bench/bench_directory.py [--contacts 5000] [--runs 3]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test | --no-pg] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.desk.directory_import import import_file  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SUPPORTBOT = Path(sys.executable).parent / "supportbot"
HEADER = "customer_number;organisation;email;name;role;language;authorised;phone;services;slack_user_id"
FIRST = ("Åsa", "Björn", "Cecilia", "Dag", "Eva", "Fredrik", "Göran", "Hanna", "Ingrid", "Jöns")
LAST = ("Andersson", "Bergström", "Carlsson", "Dahl", "Ek", "Forsberg", "Gustafsson", "Håkansson", "Öberg")


def directory_csv(contacts: int, *, changed: bool = False) -> bytes:
    """The file; ``changed``: every 10th contact changed, every 20th (offset 5) left out."""
    rows = [HEADER]
    for n in range(contacts):
        if changed and n % 20 == 5:
            continue
        org = n // 5 + (1 if changed and n % 10 == 0 and n // 5 + 1 < contacts // 5 else 0)
        name = f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}" + (" Jr" if changed and n % 10 == 0 else "")
        role = "huvudadministratör" if n % 5 == 0 else "IT-ansvarig"
        slack = f"U0B{n:07d}" if n % 3 == 0 else ""
        rows.append(f"{1000 + org};Kommun {org} AB;person{n}@kund{n // 5}.example;{name};{role};"
                    f"{'sv' if n % 4 else 'en'};ja;+46 8 {n:06d};\"Lön;Ekonomi\";{slack}")
    return ("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8")


def command(url: str, path: Path, *options: str) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    env["SUPPORTBOT_DATABASE_URL"] = url
    began = time.perf_counter()
    done = subprocess.run([str(SUPPORTBOT), "directory", "import", str(path), "--json", *options],
                          capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - began, json.loads(done.stdout)


def one_run(url: str, folder: Path, contacts: int) -> dict[str, float]:
    first, changed = folder / "first.csv", folder / "changed.csv"
    first.write_bytes(directory_csv(contacts))
    changed.write_bytes(directory_csv(contacts, changed=True))
    times = {}
    times["first"], result = command(url, first)
    assert result["contacts"]["created"] == contacts, result
    times["again"], result = command(url, first, "--prune")
    assert result["contacts"]["unchanged"] == contacts, result
    times["changed"], result = command(url, changed, "--prune")
    assert result["contacts"]["deauthorised"] == contacts // 20 and result["contacts"]["updated"] > 0, result
    return times


def in_process(url: str, contacts: int) -> float:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    data = directory_csv(contacts)
    began = time.perf_counter()
    with sessions() as session:
        report = import_file(session, data, datetime.now(timezone.utc))
        session.commit()
    elapsed = time.perf_counter() - began
    engine.dispose()
    assert report.contacts["created"] == contacts
    return elapsed


def fresh_sqlite(folder: Path, n: int) -> str:
    url = f"sqlite:///{folder / f'bench-{n}.db'}"
    migrate.upgrade(make_engine(url))
    return url


def fresh_postgres(base: str):
    schema = f"bench_dir_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return url, drop


def measure(backend: str, args, folder: Path) -> dict[str, float]:
    runs: list[dict[str, float]] = []
    for n in range(args.runs + 1):  # one more for the in-process figure
        if backend == "sqlite":
            url, drop = fresh_sqlite(folder, n), (lambda: None)
        else:
            url, drop = fresh_postgres(args.pg_url)
        try:
            runs.append({"in_process": in_process(url, args.contacts)} if n == args.runs
                        else one_run(url, folder, args.contacts))
        finally:
            drop()
    figures = {key: round(statistics.median(r[key] for r in runs[:-1]), 2) for key in ("first", "again", "changed")}
    figures["in_process"] = round(runs[-1]["in_process"], 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3, help="runs per back end; the median counts")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server to use (a schema is made and dropped)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    print(f"directory import, {args.contacts:,} contacts of {args.contacts // 5:,} organisations, whole command; "
          f"median of {args.runs}")
    backends = ["sqlite"] + ([] if args.no_pg else ["postgresql"])
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            figures = measure(backend, args, Path(folder))
            suffix = "" if backend == "sqlite" else "_pg"
            for key, value in figures.items():
                results[f"directory_import_5k_{key}_s{suffix}"] = value
            print(f"  {backend:<10}  first {figures['first']:.2f} s, again {figures['again']:.2f} s, changed + prune "
                  f"{figures['changed']:.2f} s; the import alone {figures['in_process']:.2f} s")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        merged["directory_import_setup"] = {"contacts": args.contacts, "runs": args.runs}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
