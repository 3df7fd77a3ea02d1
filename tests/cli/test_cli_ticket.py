"""`supportbot ticket list|show|export` (issue 18, point 4) on both back ends, with hostile customer text."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage.models import Agent, Contact, Organisation, OutboxRow, SurveyResponse
from storage.repositories import events, messages, tickets
from storage.repositories.mail_queue import queue_email
from tests.cli.test_cli_main import SUPPORTBOT
from tests.support.desk_zone import DESK_ZONE

T0 = datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc)  # Tuesday 10:15 in Stockholm
HOSTILE = "Faktura \x1b]2;pwned\x07 \u202egnp.exe"


@pytest.fixture
def desk(db_url, session_factory):
    """Two organisations, an agent, three tickets; the first with a message, events and two mails."""
    with session_factory() as session:
        west, east = (Organisation(number="1001", name="Västerby kommun", created_at=T0),
                      Organisation(number="2002", name="Österby AB", created_at=T0))
        asa = Contact(organisation=west, email="asa@vasterby.example", name="Åsa Andersson", created_at=T0)
        bo = Contact(organisation=east, email="bo@osterby.example", name="Bo", language="en", created_at=T0)
        anna = Agent(email="anna@vendor.example", name="Anna Lind", line=1, created_at=T0)
        session.add_all([west, east, asa, bo, anna])
        session.flush()
        first = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject=HOSTILE, origin="email", created_at=T0, contact_id=asa.id,
                                      organisation_id=west.id, assignee_id=anna.id, status="waiting_on_customer",
                                      participants=(asa.email,))
        messages.record_message(session, first, direction="inbound", channel="email", author_email=asa.email,
                                author_name=asa.name, message_id="<m1@vasterby.example>", subject=HOSTILE,
                                text="Hej!\n\nFakturan \x1b[2J syns inte.\n\n> quoted", stripped_text="Hej!\n\n"
                                "Fakturan \x1b[2J syns inte.", created_at=T0)
        events.record_event(session, first, "claimed", T0 + timedelta(minutes=5), actor="agent", agent_id=anna.id)
        queue_email(session, T0 + timedelta(minutes=10), domain="vendor.example", from_address="support@vendor.example",
                    key="t1:reply", template="agent_reply", lang="sv", to=[asa.email], ticket=first,
                    context={"contact_name": "Åsa", "body": "Vi tittar på det.", "reference": first.reference})
        queue_email(session, T0 + timedelta(minutes=11), domain="vendor.example", from_address="support@vendor.example",
                    key="t1:waiting", template="status_waiting", lang="sv", to=[asa.email], ticket=first, context={})
        session.add(SurveyResponse(ticket_id=first.id, rating=5, line=1, answered_at=T0 + timedelta(days=2)))
        second = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Licenser", origin="portal", created_at=T0 + timedelta(days=1),
                                       contact_id=bo.id, organisation_id=east.id)
        tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Gammalt", origin="staff", created_at=T0 - timedelta(days=40),
                              status="closed", closed_at=T0 - timedelta(days=39))
        session.flush()
        reply = session.execute(select(OutboxRow).where(OutboxRow.idempotency_key == "t1:reply")).scalar_one()
        reply.state, reply.sent_at = "sent", T0 + timedelta(minutes=12)  # the mail server took it
        session.commit()
        references = (first.reference, second.reference)

    def run(*args):
        return CliRunner().invoke(main, ["ticket", *args], env={"SUPPORTBOT_DATABASE_URL": db_url})
    return run, references


def test_list_filters_by_status_organisation_and_assignee(desk):
    run, (first, second) = desk
    everything = run("list")
    assert everything.exit_code == 0, everything.output
    lines = everything.output.splitlines()
    assert lines[0].split() == ["reference", "status", "line", "priority", "organisation", "assignee", "created",
                                "subject"]
    assert [line.split()[0] for line in lines[1:]] == [second, first, "TC-2026-00003"]  # newest first
    assert run("list", "--status", "waiting_on_customer").output.splitlines()[1].split()[:6] == [
        first, "waiting_on_customer", "1", "normal", "1001", "anna@vendor.example"]
    assert [line.split()[0] for line in run("list", "--org", "2002").output.splitlines()[1:]] == [second]
    assert [line.split()[0] for line in run("list", "--assignee", "ANNA@vendor.example").output.splitlines()[1:]] == [first]
    assert run("list", "--status", "new", "--org", "1001").output == "no tickets\n"
    unknown = run("list", "--org", "9999")
    assert (unknown.exit_code, unknown.stderr) == (1, "supportbot: no organisation with customer number '9999'\n")


def test_list_escapes_customer_text_and_json_keeps_it(desk):
    run, (first, _) = desk
    table = run("list", "--org", "1001").output
    assert "\x1b" not in table and "\u202e" not in table
    assert "Faktura \\x1b]2;pwned\\x07 \\u202egnp.exe" in table
    data = json.loads(run("list", "--org", "1001", "--json").output)
    assert data[0]["subject"] == HOSTILE and data[0]["created_at"] == "2026-03-10T10:15:00+01:00"
    assert data[0]["organisation_name"] == "Västerby kommun" and data[0]["assignee_email"] == "anna@vendor.example"


def test_show_prints_the_timeline_in_time_order_in_desk_time(desk):
    run, (first, _) = desk
    result = run("show", first.lower())
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b" not in out and "\u202e" not in out
    timeline = out[out.index("Timeline (Europe/Stockholm)"):].splitlines()[1:]
    entries = [line for line in timeline if not line.startswith("    ")]
    assert entries == [
        "2026-03-10 10:15:00  message  from asa@vasterby.example by email",
        "2026-03-10 10:20:00  event    claimed by anna@vendor.example",
        "2026-03-10 10:26:00  mail     status_waiting to asa@vasterby.example (pending)",
        "2026-03-10 10:27:00  mail     agent_reply to asa@vasterby.example (sent)",
    ]
    assert "    Fakturan \\x1b[2J syns inte." in timeline and "    > quoted" not in timeline
    assert "    Vi tittar på det." in timeline
    assert f"{first}  Faktura \\x1b]2;pwned\\x07 \\u202egnp.exe" in out
    assert "  contact        asa@vasterby.example" in out and "  organisation   1001 Västerby kommun" in out
    missing = run("show", "TC-2026-09999")
    assert (missing.exit_code, missing.stderr) == (1, "supportbot: no ticket TC-2026-09999\n")


def test_show_json_has_the_ticket_and_every_entry(desk):
    run, (first, _) = desk
    data = json.loads(run("show", first, "--json").output)
    assert data["ticket"]["reference"] == first and data["ticket"]["subject"] == HOSTILE
    kinds = [(entry["kind"], entry["what"]) for entry in data["timeline"]]
    assert kinds[0] == ("message", "from asa@vasterby.example by email")
    assert ("mail", "agent_reply to asa@vasterby.example") in kinds and ("event", "claimed by anna@vendor.example") in kinds
    assert [entry["at"] for entry in data["timeline"]] == sorted(entry["at"] for entry in data["timeline"])
    mail = next(entry for entry in data["timeline"] if entry["what"].startswith("agent_reply"))
    assert mail["data"]["state"] == "sent" and mail["at"] == "2026-03-10T10:27:00+01:00"


def test_export_jsonl_and_csv_for_a_period_of_days(desk):
    run, (first, second) = desk
    jsonl = run("export", "--from", "2026-03-01", "--to", "2026-03-10")
    assert jsonl.exit_code == 0, jsonl.output
    records = [json.loads(line) for line in jsonl.output.splitlines()]
    assert [r["reference"] for r in records] == [first]  # --to is inclusive; the 11th is outside
    assert (records[0]["messages_in"], records[0]["messages_out"], records[0]["survey_rating"]) == (1, 2, 5)
    assert records[0]["subject"] == HOSTILE
    table = list(csv.reader(io.StringIO(run("export", "--from", "2026-03-01", "--to", "2026-03-31",
                                            "--format", "csv").output)))
    assert table[0][:3] == ["reference", "subject", "status"] and [row[0] for row in table[1:]] == [first, second]
    assert table[1][1] == "Faktura \\x1b]2;pwned\\x07 \\u202egnp.exe"  # no terminal control survives into CSV
    backwards = run("export", "--from", "2026-03-31", "--to", "2026-03-01")
    assert backwards.exit_code == 2 and "is not after" in backwards.stderr


def test_ticket_commands_through_the_console_script(desk, db_url):
    _, (first, _) = desk
    result = subprocess.run([str(SUPPORTBOT), "ticket", "show", first], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "SUPPORTBOT_DATABASE_URL": db_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{first}  Faktura") and "\x1b" not in result.stdout
