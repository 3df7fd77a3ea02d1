"""Forgetting forgets (issue 16, point 6): after `contact forget`, the WHOLE database dump names no one.

Åsa writes in from her address with her name and her phone in the signature and the
subject; a colleague quotes her; she writes to a ticket that is not hers (quarantined,
the reason names her), a forged mail wears her address as display name, an older
version stored a traceback naming her, our mail to her bounced (the error names
her). After `supportbot contact forget asa@kund.se` the dump — SQLite's iterdump,
PostgreSQL's pg_dump of the test schema — is grepped for her address, her name and
her phone, with blobs decoded and JSON escapes undone. Before: quarantine reasons,
pipeline decisions, the traceback, the subject and the colleague's quote kept them.
"""

from __future__ import annotations

import base64
import quopri
import re
import sqlite3
import subprocess
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.cli import main
from storage.models import OutboxRow, RawMessage, Ticket, TicketMessage
from storage.repositories import outbox
from tests.handlers.conftest import mail
from tests.jobs.test_outbox_email import make_worker
from tests.jobs.test_retention import NOW, Mailroom, with_attachment
from tests.support.smtp_sink import SmtpSink

ADDRESS, NAME, PHONE = "asa@kund.se", "Åsa Andersson", "070-123 45 67"
ID_NUMBER = "19800101-1234"  # named only in a colleague's text: the operator passes it with --also
SIGNATURE = f"Med vänlig hälsning\r\n{NAME}\r\nKommunen AB\r\nTel {PHONE}"


def fill(session_factory, tmp_path) -> Mailroom:
    room = Mailroom(session_factory, tmp_path / "attachments", slack={"enabled": True, "staff_channel": "C0STAFF0001"})
    hers = room.ticket_of(room.receive(with_attachment(
        f"{NAME} <{ADDRESS}>", f"{NAME}: exporten stannar, ring {PHONE}", f"Hej!\r\n\r\nExporten stannar.\r\n\r\n{SIGNATURE}",
        b"PNG screenshot", filename=f"{NAME} skärmbild.png")))
    room.receive(mail(sender=f"{NAME} <{ADDRESS}>", subject=f"SV: [{hers.reference}] exporten",
                      body=f"Det gäller alla filer.\r\n\r\n{SIGNATURE}"))
    johns = room.ticket_of(room.receive(mail(
        sender="John Smith <john@kund.se>", subject="Fakturan",
        body=f"Se nedan. Hennes personnummer: {ID_NUMBER}.\r\n\r\n{NAME} <{ADDRESS}> skrev:\r\n> Ring mig på {PHONE}.")))
    # To a ticket that is not hers: quarantined, the reason names her address.
    room.receive(mail(sender=f"{NAME} <{ADDRESS}>", subject=f"SV: [{johns.reference}] Fakturan", body="Jag med."))
    room.receive(mail(sender=f"{NAME} <{ADDRESS}>", subject="Frånvaro", body=f"Ledig.\r\n{SIGNATURE}",
                      headers="Auto-Submitted: auto-replied\r\n"))
    room.receive(mail(sender=f"{ADDRESS} <mallory@evil.example>", subject="Betala hit", body="Nytt konto."))
    with session_factory() as session:  # a traceback stored by an older version
        session.add(RawMessage(source="smtp", message_id="<old@kund.se>", sha256="0" * 64, size=1, raw=b"x",
                               state="quarantined", reason=f"ValueError: contact {NAME} <{ADDRESS}>",
                               traceback=f'Traceback (most recent call last):\n  ...\nValueError: {NAME} <{ADDRESS}> tel {PHONE}',
                               received_at=NOW))
        session.commit()
    bounce_our_mail_to_her(room, session_factory, hers)
    return room


def bounce_our_mail_to_her(room, session_factory, ticket) -> None:
    """An agent's reply refused with 550 by a real SMTP server: the error and the event name her."""
    sink = SmtpSink().start()
    try:
        sink.refuse_recipient(ADDRESS, 550, f"5.1.1 <{ADDRESS}>: mailbox of {NAME} unavailable")
        clock = lambda: NOW + timedelta(minutes=5)  # noqa: E731
        _settings, worker = make_worker(session_factory, clock, sink.port)
        with session_factory() as session:
            outbox.enqueue(session, "email", "reply:1", {
                "template": "agent_reply", "lang": "sv", "to": [ADDRESS], "message_id": "<sb-r1@example.com>",
                "context": {"contact_name": "", "reference": ticket.reference, "subject": "s", "body": f"Hej {NAME}!",
                            "agent_name": "Agnes"}}, clock(), ticket_id=ticket.id)
            session.commit()
        while worker.run_once():
            pass
    finally:
        sink.stop()
    with session_factory() as session:
        assert session.execute(select(OutboxRow.state).where(OutboxRow.idempotency_key == "reply:1")).scalar() == "failed"


def dump(db_url: str) -> str:
    """Every row of every table as text: blobs decoded (as-is, quoted-printable, base64), JSON escapes undone."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as connection:
            text = "\n".join(connection.iterdump())
        blobs = re.findall(r"X'([0-9a-fA-F]*)'", text)
    else:
        schema = url.query["options"].removeprefix("-csearch_path=")
        plain = url.set(query={}, drivername="postgresql").render_as_string(hide_password=False)
        text = subprocess.run(["pg_dump", "--data-only", "--schema", schema, plain], capture_output=True, text=True,
                              check=True).stdout
        blobs = re.findall(r"\\\\x([0-9a-fA-F]+)", text)
    decoded = [bytes.fromhex(blob) for blob in blobs]
    text += "\n".join(b.decode("utf-8", "replace") + quopri.decodestring(b).decode("utf-8", "replace") + _b64(b)
                      for b in decoded)
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _b64(data: bytes) -> str:
    chunks = re.findall(rb"(?m)^[A-Za-z0-9+/=]{16,}\r?$", data)
    return base64.b64decode(b"".join(c.strip() for c in chunks) + b"==").decode("utf-8", "replace") if chunks else ""


def test_after_forget_the_whole_database_dump_names_no_one(session_factory, db_url, tmp_path):
    room = fill(session_factory, tmp_path)
    before = dump(db_url).lower()
    assert all(probe.lower() in before for probe in (ADDRESS, NAME, PHONE, ID_NUMBER))

    env = {"SUPPORTBOT_DATABASE_URL": db_url, "SUPPORTBOT_DESK_ATTACHMENTS_DIR": str(room.store.root)}
    result = CliRunner().invoke(main, ["contact", "forget", ADDRESS, "--also", ID_NUMBER], env=env)
    assert result.exit_code == 0, result.output

    after = dump(db_url).lower()
    found = {probe: [line[:160] for line in after.splitlines() if probe.lower() in line]
             for probe in (ADDRESS, NAME, PHONE, ID_NUMBER)}
    assert found == {ADDRESS: [], NAME: [], PHONE: [], ID_NUMBER: []}
    assert "other stored text naming them scrubbed" in result.output
    # What is not hers stays: John, his words, the tickets and their references.
    assert "john@kund.se" in after and "se nedan." in after
    with session_factory() as session:
        assert session.query(Ticket).count() == 2
        john = session.execute(select(TicketMessage.text).where(TicketMessage.author_email == "john@kund.se")).scalar()
        assert john.startswith("Se nedan.") and "(forgotten)" in john
