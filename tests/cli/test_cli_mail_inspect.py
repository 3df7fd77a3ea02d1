"""`supportbot mail inspect`: a dry run that explains itself and never crashes on input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Contact, Inquiry, Organisation, OutboxRow

CORPUS = Path(__file__).resolve().parent.parent / "data" / "mail"


@pytest.fixture
def env(tmp_path):
    url = f"sqlite:///{tmp_path / 'inspect.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    with make_session_factory(engine)() as session:
        org = Organisation(number="1", name="Kund AB", created_at=now)
        session.add_all([org, Contact(organisation=org, email="asa@kund.se", name="Åsa", created_at=now)])
        session.commit()
    yield {"SUPPORTBOT_DATABASE_URL": url, "SUPPORTBOT_DESK_ATTACHMENTS_DIR": str(tmp_path / "att")}
    with make_session_factory(engine)() as session:  # a dry run leaves nothing behind
        assert session.query(Inquiry).count() == 0 and session.query(OutboxRow).count() == 0
    engine.dispose()


def write(tmp_path, raw: bytes) -> str:
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    return str(path)


def test_new_case_from_a_contact_explains_the_portal_rule(env, tmp_path):
    raw = b"From: =?utf-8?q?=C3=85sa?= <asa@kund.se>\r\nTo: support@example.com\r\nSubject: Ny fr\xc3\xa5ga\r\n" \
          b"Message-ID: <i1@kund.se>\r\n\r\nHej!\r\n"
    result = CliRunner().invoke(main, ["mail", "inspect", write(tmp_path, raw), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["classification"] == "customer" and report["outcome"] == "processed"
    assert "new case from registered contact asa@kund.se: portal rule" in report["decisions"]
    assert any(d.startswith("send portal_redirect (sv) to asa@kund.se") for d in report["decisions"])
    assert report["subject"] == "Ny fråga"


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\x01\x02" * 1000, b"garbage without headers", b"Subject: =?utf-8?q?broken\r\n\r\n\xff\xfe",
     b"Content-Type: multipart/mixed; boundary=\"never\"\r\n\r\nno parts at all"],
    ids=["empty", "nul-bytes", "no-headers", "broken-rfc2047", "missing-boundary"],
)
def test_malformed_input_gives_a_result_not_a_crash(env, tmp_path, raw):
    result = CliRunner().invoke(main, ["mail", "inspect", write(tmp_path, raw)], env=env)
    assert result.exit_code == 0, result.output
    assert "outcome:" in result.output or result.output.startswith("error:")


def test_unreadable_file_exits_2(env, tmp_path):
    result = CliRunner().invoke(main, ["mail", "inspect", str(tmp_path / "missing.eml")], env=env)
    assert result.exit_code == 2 and "cannot read" in result.output


def test_every_corpus_mail_can_be_inspected(env):
    files = sorted(CORPUS.glob("*.eml"))
    assert len(files) >= 40
    for path in files:
        result = CliRunner().invoke(main, ["mail", "inspect", str(path), "--json"], env=env)
        assert result.exit_code == 0, (path.name, result.output)
        assert "outcome" in json.loads(result.output), path.name
