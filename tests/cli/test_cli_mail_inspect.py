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


def test_a_from_that_names_no_one_reports_sender_null_and_the_defect(env):
    # Issue 16, point 2: parseaddr on the raw header credited this mail to john.
    result = CliRunner().invoke(main, ["mail", "inspect", str(CORPUS / "forged_from_display_address.eml"), "--json"],
                                env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sender"] is None
    assert "From: malformed address list: no sender credited" in report["defects"]
    assert (report["outcome"], report["reason"]) == ("quarantined", "no sender credited: From: malformed address list")
    text = CliRunner().invoke(main, ["mail", "inspect", str(CORPUS / "forged_from_display_address.eml")], env=env)
    assert "sender: -\n" in text.output and "john@customer.example" not in text.output.split("--- text")[0]


# ESC ] 2 ; … BEL retitles a terminal; ESC [ 2 J clears it; 0x9b is the one-byte CSI; U+202E reverses a name.
HOSTILE_NAME = "\x1b]2;pwned\x07\x1b[2Jinvoice\x9b31m\u202egpj.exe"
HOSTILE_MAIL = (
    "From: =?utf-8?q?Anna=1B[31m?= <asa@kund.se>\r\nTo: support@example.com\r\n"
    "Subject: =?utf-8?q?Faktura=07=1B]2;x=07?=\r\nMessage-ID: <ctl@kund.se>\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilagan.\x1b[8m dolt\r\n"
    "--b\r\nContent-Type: application/octet-stream\r\n"
    f"Content-Disposition: attachment; filename*=UTF-8''{''.join(f'%{b:02X}' for b in HOSTILE_NAME.encode())}\r\n"
    "\r\nMZ\r\n--b--\r\n"
).encode()
CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e")


def test_control_characters_reach_the_terminal_escaped(env, tmp_path):
    result = CliRunner().invoke(main, ["mail", "inspect", write(tmp_path, HOSTILE_MAIL)], env=env)
    assert result.exit_code == 0, result.output
    assert [c for c in CONTROLS if c in result.output] == []
    assert r"attachment: \x1b]2;pwned\x07\x1b[2Jinvoice\x9b31m\u202egpj.exe (application/octet-stream" in result.output
    assert r"subject: Faktura\x07\x1b]2;x\x07" in result.output
    assert "Se bilagan.\\x1b[8m dolt" in result.output


def test_json_output_escapes_what_json_dumps_leaves_raw(env, tmp_path):
    result = CliRunner().invoke(main, ["mail", "inspect", write(tmp_path, HOSTILE_MAIL), "--json"], env=env)
    assert [c for c in CONTROLS if c in result.output] == []
    [attachment] = json.loads(result.output)["attachments"]
    assert attachment["filename"] == HOSTILE_NAME  # the data itself is unchanged
