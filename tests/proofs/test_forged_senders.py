"""Forged senders against `supportbot run` (issue 16, point 2): through the SMTP ingress and Dovecot.

The black-box run sent ``From: john@customer.example <attacker@evil.example>`` with
"ni kan stänga ärendet" as a reply to John's ticket: it was credited to John,
appended and moved his ticket to closure requested. Here the corpus's hostile
senders arrive over both doors, then John's own reply; only John's reaches his
ticket, nothing is ever mailed to anyone but John, and staff see each quarantine.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import make_engine, make_session_factory
from storage.models import Contact, Organisation, OutboxRow, RawMessage, Ticket, TicketMessage
from storage.repositories import messages, tickets
from tests.proofs.harness import SEEDED_AT, SUPPORT, DeskConfig, ServiceProcess, poll_until, prepare_database, \
    send_smtp
from tests.support.imap_server import start_imap_server
from tests.support.smtp_sink import SmtpSink
from tests.support.desk_zone import DESK_ZONE

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"
CASES = tomllib.loads((DATA / "expected.toml").read_text(encoding="utf-8"))["mail"]
HOSTILE = {case["file"]: case["sender_problem"] for case in CASES if "sender_problem" in case}
JOHN = "john@customer.example"


def seed_johns_ticket(url: str) -> int:
    prepare_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        org = Organisation(number="2002", name="Customer Ltd", created_at=SEEDED_AT)
        john = Contact(organisation=org, email=JOHN, name="John Smith", language="en", created_at=SEEDED_AT)
        session.add_all([org, john])
        session.flush()
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Fakturan visar fel belopp", origin="portal",
                                       created_at=SEEDED_AT, participants=(JOHN,), status="waiting_on_customer",
                                       contact_id=john.id, organisation_id=org.id)
        messages.append_message(session, ticket, direction="outbound", channel="email",
                                message_id="<sb-7a1c0de5@example.com>", created_at=SEEDED_AT)
        session.commit()
        ticket_id = ticket.id
    engine.dispose()
    return ticket_id


@pytest.fixture
def desk(tmp_path):
    imap, sink = start_imap_server(tmp_path / "imap"), SmtpSink().start()
    config = DeskConfig(tmp_path / "desk", smtp_relay_port=sink.port, imap=imap)
    config.workdir.mkdir(parents=True)
    ticket_id = seed_johns_ticket(config.db_url)
    service = ServiceProcess(config).start()
    try:
        service.wait_healthy()
        yield config, imap, sink, ticket_id
    finally:
        service.kill()
        sink.stop()
        imap.close()


def test_forged_froms_never_touch_johns_ticket_and_nothing_is_mailed_to_them(desk):
    config, imap, sink, ticket_id = desk
    files = sorted(HOSTILE)
    first, rest = "forged_from_display_address.eml", [f for f in files if f != "forged_from_display_address.eml"]
    send_smtp(config.ingress_port, (DATA / first).read_bytes(), "attacker@evil.example", [SUPPORT])  # the finding
    for file in rest:
        imap.append("INBOX", (DATA / file).read_bytes())
    imap.append("INBOX", (DATA / "from_own_address_as_name.eml").read_bytes())  # John's own reply, last

    engine = make_engine(config.db_url)
    sessions = make_session_factory(engine)
    try:
        def settled():
            with sessions() as session:
                rows = session.execute(select(RawMessage.message_id, RawMessage.state, RawMessage.reason)).all()
                pending = session.execute(select(OutboxRow.id).where(OutboxRow.kind == "email",
                                                                     OutboxRow.state != "sent")).all()
            done = len(rows) == len(files) + 1 and all(row.state != "received" for row in rows) and not pending
            return rows if done else None
        rows = poll_until(settled, timeout=60, what="every mail processed and every mail sent")
        with sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            inbound = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket_id,
                                                                  TicketMessage.direction == "inbound")).scalars().all()
            alerts = session.execute(select(OutboxRow.payload).where(OutboxRow.kind == "slack.alert")).scalars().all()
    finally:
        engine.dispose()

    reasons = {row.message_id: (row.state, row.reason) for row in rows}
    for file, problem in HOSTILE.items():
        key = next(c["message_id"] for c in CASES if c["file"] == file)
        assert reasons[key] == ("quarantined", f"no sender credited: {problem}"), file
    assert [(m.author_email, m.text.strip()) for m in inbound] == [(JOHN, "Tack, det fungerar.")]
    assert ticket.closure_requested_at is None and ticket.status != "closure_requested"
    assert len(alerts) == len(HOSTILE) and all("no sender credited: From:" in a["text"] for a in alerts)
    assert all(rcpts == [JOHN] for _from, rcpts, _raw in sink.messages)  # at most John's out-of-hours answer
