"""`supportbot sla report`: first-response figures per line from the tickets in a range."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.sla import sla
from bot.app.config import Settings
from bot.domain.hours.calendar import calendar_from_settings
from bot.desk.open_ticket import open_ticket
from tests.jobs.test_sla_monitor import local


@pytest.fixture
def desk_db(db_url, session_factory):
    """Five tickets on Tuesday 10 March 2026 (due 11:00) and one on the 11th, outside the range."""
    settings = Settings()
    calendar = calendar_from_settings(settings.hours)
    answers = [(1, local(2026, 3, 10, 9, 30)), (1, local(2026, 3, 10, 10, 0)), (1, local(2026, 3, 10, 11, 30)),
               (2, None), (2, None), (1, local(2026, 3, 11, 9, 5))]
    with session_factory() as session:
        for n, (line, answered) in enumerate(answers):
            created = local(2026, 3, 11, 9, 0) if n == 5 else local(2026, 3, 10, 9, 0)
            ticket = open_ticket(session, settings, calendar, created, subject=f"T{n}", origin="staff", contact=None,
                                 language="sv", participants=(), line=line)
            ticket.first_response_at = answered
            if n == 4:  # not due yet, whenever the test runs: waiting, but no breach
                ticket.first_response_due_at = local(2099, 1, 1, 10, 0)
        session.commit()
    return db_url


def run(db_url, *args):
    return CliRunner().invoke(sla, list(args), obj=CliContext(config_path=None),
                              env={"SUPPORTBOT_DATABASE_URL": db_url})


def test_the_report_table_per_line(desk_db):
    result = run(desk_db, "report", "--from", "2026-03-10", "--to", "2026-03-10")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("First response, tickets created 2026-03-10 00:00 – 2026-03-11 00:00")
    assert lines[1].split() == ["line", "tickets", "answered", "waiting", "median_min", "p90_min", "breaches",
                                "breach_pct"]
    assert lines[3].split() == ["1", "3", "3", "0", "60.0", "150.0", "1", "33.3"]
    assert lines[4].split() == ["2", "2", "0", "2", "–", "–", "1", "50.0"]
    assert lines[5].split() == ["all", "5", "3", "2", "60.0", "150.0", "2", "40.0"]


def test_the_report_as_csv_with_instants(desk_db):
    result = run(desk_db, "report", "--from", "2026-03-10T00:00:00+01:00", "--to", "2026-03-12T00:00+01:00", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["line"] for row in rows] == ["1", "2", "all"]
    assert rows[0]["tickets"] == "4" and rows[0]["median_min"] == "45.0" and rows[1]["median_min"] == ""
    assert rows[2] == {"line": "all", "tickets": "6", "answered": "4", "waiting": "2", "median_min": "45.0",
                       "p90_min": "150.0", "breaches": "2", "breach_pct": "33.3"}


def test_an_empty_range_and_bad_arguments(desk_db):
    empty = run(desk_db, "report", "--from", "2025-01-01", "--to", "2025-01-31")
    assert empty.exit_code == 0 and empty.output.splitlines()[-1].split() == ["all", "0", "0", "0", "–", "–", "0", "–"]
    naive = run(desk_db, "report", "--from", "2026-03-10T09:00", "--to", "2026-03-11")
    assert naive.exit_code == 2 and "no UTC offset" in naive.output
    backwards = run(desk_db, "report", "--from", "2026-03-11", "--to", "2026-03-10")
    assert backwards.exit_code == 2 and "is not after" in backwards.output
    assert run(desk_db, "report", "--help").exit_code == 0
