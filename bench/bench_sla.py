"""Benchmark the SLA monitor: one tick over 100,000 open tickets of which 500 need an alert.

The 500 are half warnings, half breaches (warned before), nobody assigned, an
on-call agent from the rota and `oncall.email` set, Slack on: so a tick records 500 alert
rows, queues 500 card refreshes, 250 mails and four digests (alerts channel
and the on-call DMs, each over the digest threshold), and moves 500
``sla_next_check_at`` — all in one transaction, as in production. Timed from
the call to ``tick`` to its commit; the state is restored between runs and the
median of ``--runs`` counts. Target: < 100 ms on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_sla.py [--tickets 100000] [--due 500] [--runs 5]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test | --no-pg] [--json FILE]

PostgreSQL runs in a schema of its own on the given server, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from sqlalchemy import delete, insert, literal, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.app.config import Settings  # noqa: E402
from bot.domain.hours.calendar import calendar_from_settings  # noqa: E402
from bot.jobs.sla_monitor import SlaMonitor  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import Agent, OutboxRow, SlaAlert, Ticket  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 3, 16, 9, 30, tzinfo=timezone.utc)  # Monday 10:30 in Stockholm: open
SETTINGS = Settings.model_validate({
    "slack": {"enabled": True, "staff_channel": "C0STAFF", "alerts_channel": "C0ALERTS"},
    "oncall": {"email": "jour@vendor.example", "rota": [{"who": "agnes@vendor.example", "start": "monday",
                                                          "end": "sunday"}]},
})


def populate(engine, tickets: int, due: int) -> None:
    """``tickets`` open tickets; the first ``due`` have a passed SLA instant (half warnings, half breaches)."""
    with engine.begin() as connection:
        connection.execute(insert(Agent), [{"email": "agnes@vendor.example", "name": "Agnes",
                                            "slack_user_id": "U0AGNES", "line": 1, "active": True,
                                            "created_at": NOW}])
        batch = []
        for n in range(tickets):
            if n < due:
                created = NOW - timedelta(minutes=100 if n % 2 else 130)  # warning at 90, breach at 120
                warn, due_at = created + timedelta(minutes=90), created + timedelta(minutes=120)
                next_at = warn if n % 2 else due_at
            else:
                created = NOW - timedelta(minutes=n % 60)
                warn, due_at = created + timedelta(minutes=90), created + timedelta(minutes=120)
                next_at = warn
            batch.append({"reference": f"TC-2026-{n:06d}", "subject": f"Ärende {n}", "status": "new", "line": 1,
                          "priority": "normal", "origin": "email", "reply_token": uuid.uuid4().hex, "revision": 1,
                          "language": "sv", "created_at": created, "updated_at": created,
                          "first_response_warn_at": warn, "first_response_due_at": due_at,
                          "sla_next_check_at": next_at, "slack_channel": "C0STAFF", "slack_card_ts": f"1700000000.{n:06d}"})
            if len(batch) == 10_000:
                connection.execute(insert(Ticket), batch)
                batch = []
        if batch:
            connection.execute(insert(Ticket), batch)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE tickets"))


def reset(engine, due: int) -> None:
    """Undo a tick: no outbox rows, the due tickets due again, and the alerts of before.

    Those are a warning for each ticket about to breach (as in production: a
    tick reads each due ticket's last alert) and one for every other second of
    the rest, so that the alerts table is not a small one.
    """
    with engine.begin() as connection:
        connection.execute(delete(OutboxRow))
        connection.execute(delete(SlaAlert))
        connection.execute(insert(SlaAlert).from_select(
            ["ticket_id", "kind", "level", "occurrence", "created_at"],
            select(Ticket.id, literal("first_response"), literal("warning"), literal(1), Ticket.first_response_warn_at)
            .where(Ticket.id % 2 == 1, (Ticket.id <= due) | (Ticket.id % 4 == 3))))
        table = Ticket.__table__
        for parity, column in ((1, table.c.first_response_warn_at), (0, table.c.first_response_due_at)):
            connection.execute(update(table).where(table.c.id <= due, table.c.id % 2 == (1 - parity))
                               .values(sla_next_check_at=column))


def measure(url: str, tickets: int, due: int, runs: int) -> tuple[list[float], dict]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    populate(engine, tickets, due)
    sessions = make_session_factory(engine)
    calendar = calendar_from_settings(SETTINGS.hours)
    calendar.prepare(2026, 2026)
    times, report = [], None
    for _ in range(runs + 1):  # the first run warms caches and connections; not counted
        reset(engine, due)
        monitor = SlaMonitor(sessions, SETTINGS, calendar, lambda: NOW)
        began = time.perf_counter()
        report = monitor.tick(NOW)
        times.append((time.perf_counter() - began) * 1000)
        assert report.looked_at == due, report
    with sessions() as session:
        outbox_rows = session.query(OutboxRow).count()
    began = time.perf_counter()
    assert monitor.tick(NOW).looked_at == 0  # the steady state: nothing due, one index probe
    idle_ms = (time.perf_counter() - began) * 1000
    engine.dispose()
    return times[1:], {"alerts": dict(report.alerts), "digests": report.digests, "outbox_rows": outbox_rows,
                       "idle_tick_ms": round(idle_ms, 2)}


def postgres_schema(base: str):
    schema = f"bench_sla_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    return url, drop


def _runs(times: list[float]) -> str:
    return ", ".join(f"{t:.1f}" for t in times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5, help="timed ticks per back end; the median counts")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server to use (a schema is made and dropped)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    print(f"SLA monitor, one tick: {args.tickets:,} open tickets, {args.due} due; median of {args.runs}")
    with tempfile.TemporaryDirectory() as folder:
        times, what = measure(f"sqlite:///{folder}/bench.db", args.tickets, args.due, args.runs)
    results["sla_tick_ms_100k"] = round(statistics.median(times), 1)
    print(f"  SQLite      {results['sla_tick_ms_100k']:>7.1f} ms  (runs: {_runs(times)})  {what}")
    if not args.no_pg:
        url, drop = postgres_schema(args.pg_url)
        try:
            times, what = measure(url, args.tickets, args.due, args.runs)
        finally:
            drop()
        results["sla_tick_ms_100k_pg"] = round(statistics.median(times), 1)
        print(f"  PostgreSQL  {results['sla_tick_ms_100k_pg']:>7.1f} ms  (runs: {_runs(times)})  {what}")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        merged["sla_tick_setup"] = {"tickets": args.tickets, "due": args.due, "runs": args.runs,
                                    "python": platform.python_version()}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
