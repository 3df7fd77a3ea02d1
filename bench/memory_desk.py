"""A fresh desk for the memory benchmarks: a database of either back end, organisations, imported history."""

from __future__ import annotations

import json
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.desk.history_import import import_history
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Organisation

SET_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "similar"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


@contextmanager
def fresh_database(backend: str, pg_url: str):
    """A URL to an empty, migrated database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/memory.db"
            _migrate(url)
            yield url
        return
    schema = f"bench_mem_{uuid.uuid4().hex[:8]}"
    admin = make_engine(pg_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _migrate(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with make_session_factory(engine)() as session:
        session.add(Organisation(number="1001", name="Kund AB", created_at=T0))
        session.commit()
    engine.dispose()


def load_set(folder: Path = SET_DIR) -> list[dict]:
    return [json.loads(line) for line in (folder / "topics.jsonl").read_text(encoding="utf-8").splitlines() if line]


def case_line(reference: str, case: dict, opened_at: datetime) -> str:
    """One history line for a labelled case (customer text, agent reply)."""
    return json.dumps({
        "external_reference": reference, "organisation": "1001", "contact": "kontakt@kund.example",
        "language": case["lang"], "subject": case["subject"], "opened_at": opened_at.isoformat(),
        "closed_at": (opened_at + timedelta(hours=3)).isoformat(),
        "messages": [
            {"from": "customer", "at": opened_at.isoformat(), "text": case["text"]},
            {"from": "agent", "author": "agent@vendor.example", "at": (opened_at + timedelta(hours=1)).isoformat(),
             "text": case["reply"]},
        ]}, ensure_ascii=False)


def import_lines(url: str, lines: list[str]):
    engine = make_engine(url)
    report = import_history(make_session_factory(engine), lines, prefix="TC", desk_zone="Europe/Stockholm", now=T0)
    engine.dispose()
    return report
