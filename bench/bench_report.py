"""Benchmark `supportbot report` over one year of a busy desk: 50,000 tickets, their events, surveys, inquiries.

The desk: 52 ISO weeks (Mon 17 March 2025 – Sun 15 March 2026) of ~960 tickets a
week from 400 organisations and 2,000 contacts, a quarter of them arriving out
of hours; every ticket has a first response (most within the target, some late, a
few never), three timeline events besides its status changes, and is closed with
an event (3 % reopened and closed again); 40 % of closed tickets have a survey
answer; 6,000 new cases were answered with the portal link and about half came
back through it. Timed: the figures (every query and computation of
``build_report``), then the HTML page (eleven charts drawn by matplotlib) —
together what `supportbot report --from 2025-03-17 --to 2026-03-15 --html FILE`
does after start-up. Target: < 5 s on SQLite and on PostgreSQL. The process' CPU
seconds and the load average are recorded beside the wall clock: on a shared
machine the wall clock also counts the neighbours' work.

    .venv/bin/python bench/bench_report.py [--tickets 50000] [--runs 3]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test | --no-pg] [--json FILE]

PostgreSQL runs in a schema of its own on the given server, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, time as clock_time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from sqlalchemy import insert, text  # noqa: E402

from bench.bench_sla import DEFAULT_PG, postgres_schema  # noqa: E402
from bot.app.config import Settings  # noqa: E402
from bot.desk.reports import Period, build_report  # noqa: E402
from bot.domain.hours.calendar import calendar_from_settings  # noqa: E402
from bot.rendering.charts import render_html  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402
from storage.models import Contact, Inquiry, Organisation, SurveyResponse, Ticket, TicketEvent  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST, LAST = date(2025, 3, 17), date(2026, 3, 15)
NOW = datetime(2026, 3, 16, 9, 5, tzinfo=STOCKHOLM)
SETTINGS = Settings()
ORGANISATIONS, CONTACTS, INQUIRIES = 400, 2_000, 6_000
ORIGINS = ("portal", "portal", "portal", "email", "email", "slack", "staff")
PRIORITIES = ("urgent", "high", "normal", "normal", "normal", "low")
BATCH = 5_000


def arrival(rng: random.Random, calendar) -> datetime:
    """A registration instant in the year: three in four during opening hours."""
    while True:
        day = FIRST + timedelta(days=rng.randrange((LAST - FIRST).days + 1))
        at = datetime.combine(day, clock_time(0), STOCKHOLM) + timedelta(minutes=rng.randrange(24 * 60))
        if calendar.is_open(at) or rng.random() < 0.12:  # out of hours arrivals end up ~25 %
            return at.astimezone(timezone.utc)


def populate(engine, tickets: int, calendar, seed: int = 22) -> None:
    rng = random.Random(seed)
    made = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with engine.begin() as connection:
        connection.execute(insert(Organisation), [{"id": n, "number": f"K{n:05d}", "name": f"Kund {n} AB",
                                                    "created_at": made} for n in range(1, ORGANISATIONS + 1)])
        connection.execute(insert(Contact), [{"id": n, "organisation_id": 1 + n % ORGANISATIONS,
                                              "email": f"kontakt{n}@kund.example", "created_at": made}
                                             for n in range(1, CONTACTS + 1)])
        rows, events, surveys = [], [], []
        for n, created in enumerate(sorted(arrival(rng, calendar) for _ in range(tickets)), start=1):
            contact = 1 + int(rng.paretovariate(1.2) * 7) % CONTACTS  # a few customers bring most cases
            due = calendar.add_business_minutes(created, SETTINGS.sla.first_response_minutes)
            minutes = rng.choice((5, 15, 30, 45, 60, 90, 100, 110, 150, 240)) if rng.random() < 0.995 else None
            responded = calendar.add_business_minutes(created, minutes) if minutes is not None else None
            closed = (responded or created) + timedelta(hours=rng.randint(2, 200))
            rows.append({"id": n, "reference": f"TC-{n:06d}", "subject": f"Ärende {n}", "status": "closed",
                         "line": rng.choice((1, 1, 1, 2, 2, 3)), "priority": rng.choice(PRIORITIES),
                         "origin": rng.choice(ORIGINS), "organisation_id": 1 + contact % ORGANISATIONS,
                         "contact_id": contact, "reply_token": uuid.UUID(int=rng.getrandbits(128)).hex,
                         "revision": 1, "language": "sv", "created_at": created, "updated_at": closed,
                         "first_response_due_at": due, "first_response_at": responded, "closed_at": closed})
            for k in range(3):
                events.append({"ticket_id": n, "kind": ("claimed", "message_added", "priority_changed")[k],
                               "actor": "agent", "data": {}, "created_at": created + timedelta(minutes=k + 1)})
            if rng.random() < 0.03:  # closed, reopened, closed again
                first_close = closed - timedelta(hours=1, minutes=30)
                events += [_status(n, first_close, "open", "closed"),
                           _status(n, first_close + timedelta(minutes=30), "closed", "open")]
            events.append(_status(n, closed, "open", "closed"))
            if rng.random() < 0.4:
                surveys.append({"ticket_id": n, "rating": rng.choices((5, 4, 3, 2, 1), (45, 30, 12, 8, 5))[0],
                                "comment": rng.choice(("Snabbt och bra.", "Tack!", None, None)), "line": rows[-1]["line"],
                                "answered_at": closed + timedelta(hours=rng.randint(1, 48))})
            if len(rows) == BATCH:
                _flush(connection, rows, events, surveys)
        _flush(connection, rows, events, surveys)
        connection.execute(insert(Inquiry), [
            {"kind": "new_case", "channel": rng.choice(("email", "slack")), "status": "waiting",
             "contact_id": 1 + n % CONTACTS, "organisation_id": 1 + (1 + n % CONTACTS) % ORGANISATIONS,
             "sender_email": f"kontakt{1 + n % CONTACTS}@kund.example", "text": "",
             "created_at": arrival(rng, calendar)} for n in range(INQUIRIES)])
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def _status(ticket_id: int, at: datetime, old: str, new: str) -> dict:
    return {"ticket_id": ticket_id, "kind": "status_changed", "actor": "agent", "data": {"old": old, "new": new},
            "created_at": at}


def _flush(connection, rows: list, events: list, surveys: list) -> None:
    for model, batch in ((Ticket, rows), (TicketEvent, events), (SurveyResponse, surveys)):
        if batch:
            connection.execute(insert(model), batch)
        batch.clear()


def measure(url: str, tickets: int, runs: int) -> tuple[list[tuple[float, float]], dict]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    calendar = calendar_from_settings(SETTINGS.hours)
    began = time.perf_counter()
    populate(engine, tickets, calendar)
    setup_s = time.perf_counter() - began
    sessions = make_session_factory(engine)
    period = Period(FIRST, LAST, STOCKHOLM, SETTINGS.report.trend_weeks)
    times, cpu, report, html = [], [], None, ""
    for _ in range(runs):
        calendar = calendar_from_settings(SETTINGS.hours)  # a fresh process' calendar, as the CLI has
        began, began_cpu = time.perf_counter(), time.process_time()
        with sessions() as session:
            report = build_report(session, SETTINGS, calendar, period, NOW)
        built = time.perf_counter()
        html = render_html(report, "sv")
        times.append((built - began, time.perf_counter() - built))
        cpu.append(time.process_time() - began_cpu)
    engine.dispose()
    figures = report.as_dict()
    assert figures["first_response"]["lines"][-1]["tickets"] == tickets, figures["first_response"]["lines"][-1]
    # This process' CPU seconds too: on a shared machine the wall clock also counts other people's work.
    return times, {"cpu_s": round(statistics.median(cpu), 2), "load": round(os.getloadavg()[0], 1),
                   "weeks": len(figures["period"]["weeks"]), "html_kb": len(html.encode()) // 1024,
                   "kept_pct": figures["first_response"]["period"]["kept_pct"], "setup_s": round(setup_s, 1)}


def _runs(times: list[tuple[float, float]]) -> str:
    return ", ".join(f"{a + b:.2f} ({a:.2f} + {b:.2f})" for a, b in times)


def _record(results: dict, suffix: str, times: list[tuple[float, float]], what: dict) -> None:
    results[f"report_year_cpu_s_50k{suffix}"] = what["cpu_s"]
    results[f"report_year_load{suffix}"] = what["load"]
    results[f"report_year_s_50k{suffix}"] = round(statistics.median(a + b for a, b in times), 2)
    results[f"report_year_figures_s_50k{suffix}"] = round(statistics.median(a for a, _ in times), 2)
    results[f"report_year_html_s_50k{suffix}"] = round(statistics.median(b for _, b in times), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3, help="timed reports per back end; the median counts")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server to use (a schema is made and dropped)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)

    results: dict[str, float] = {}
    print(f"supportbot report over a year ({FIRST} – {LAST}): {args.tickets:,} tickets; median of {args.runs}; "
          f"seconds, figures + HTML")
    with tempfile.TemporaryDirectory() as folder:
        times, what = measure(f"sqlite:///{folder}/bench.db", args.tickets, args.runs)
    _record(results, "", times, what)
    print(f"  SQLite      {results['report_year_s_50k']:>5.2f} s  (runs: {_runs(times)})  {what}")
    if not args.no_pg:
        url, drop = postgres_schema(args.pg_url)
        try:
            times, what = measure(url, args.tickets, args.runs)
        finally:
            drop()
        _record(results, "_pg", times, what)
        print(f"  PostgreSQL  {results['report_year_s_50k_pg']:>5.2f} s  (runs: {_runs(times)})  {what}")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        merged["report_year_setup"] = {"tickets": args.tickets, "first": FIRST.isoformat(), "last": LAST.isoformat(),
                                       "runs": args.runs, "python": platform.python_version()}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
