"""What held in the black-box run (issue 16), kept holding: names as data, no injection, no templates, no cross-talk.

Each through the e-mail pipeline and, where something goes out, the outbox worker
against an aiosmtpd sink: 16 hostile attachment names stored by hash only; CR/LF
in names and subjects never becomes a header; ``{{ 7*7 }}`` in customer text stays
text; a mail to 10,000 recipients is one mail from one sender; a contact of another
organisation cannot add to a ticket by token, Message-ID or reference.
"""

from __future__ import annotations

import base64
import os
import uuid
from email import message_from_bytes, policy

import pytest

from storage.models import Attachment, Contact, Organisation, OutboxRow, Ticket, TicketMessage, TicketParticipant
from storage.repositories import messages, tickets
from tests.handlers.conftest import OPEN, mail
from tests.jobs.test_outbox_email import Clock, make_worker, sink  # noqa: F401 - fixture
from tests.support.desk_zone import DESK_ZONE

HOSTILE_NAMES = [
    "../../../../etc/passwd", "..\\..\\..\\Windows\\System32\\drivers\\etc\\hosts", "/etc/shadow",
    "C:\\boot.ini", "~/.ssh/authorized_keys", ".bashrc", "CON", "nul.txt", "$(rm -rf ~).txt", "`id`.pdf",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "invoice\u202efdp.exe", "a" * 300 + ".pdf", "file:///etc/passwd",
    "\x1b]2;pwned\x07.txt", "name\r\nBcc: evil@evil.example.pdf",
]


def with_files(names: list[str]) -> bytes:
    """One mail from Åsa with an attachment per name (RFC 2231 UTF-8 filename*, so any character survives)."""
    parts = "".join(
        f"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename*=UTF-8''{''.join(f'%{b:02X}' for b in name.encode())}\r\n\r\n"
        f"{base64.b64encode(f'file {number}'.encode()).decode()}\r\n"
        for number, name in enumerate(names))
    return (f"From: Åsa Andersson <asa@kund.se>\r\nTo: support@example.com\r\nSubject: Filer\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@kund.se>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nBifogat.\r\n'
            f"{parts}--b--\r\n").encode()


def test_sixteen_hostile_attachment_names_are_stored_by_hash_only(make_desk, tmp_path):
    desk = make_desk(portal={"new_case_policy": "ticket"})
    before = {path for path in tmp_path.rglob("*")}
    assert len(HOSTILE_NAMES) == 16
    assert desk.receive(with_files(HOSTILE_NAMES)).disposition == "processed"
    with desk.sessions() as session:
        stored = session.query(Attachment).order_by(Attachment.id).all()
    assert [a.filename for a in stored] == [name[:255] for name in HOSTILE_NAMES]  # the names are data, kept as sent
    store = desk.services["attachments"]
    expected = {store.path(a.sha256) for a in stored}
    assert all(a.stored for a in stored) and len(expected) == 16
    created = {path for path in tmp_path.rglob("*") if path.is_file() and not path.name.startswith("test.db")} - before
    assert created == expected  # nothing else was written anywhere, only <root>/ab/<sha256>
    assert all(path.name == a.sha256 and path.read_bytes() == f"file {n}".encode()
               for n, (path, a) in enumerate(zip([store.path(a.sha256) for a in stored], stored)))
    assert not any(os.sep + "etc" in str(path) for path in created)


def test_cr_lf_in_a_subject_or_name_never_becomes_a_header(make_desk, session_factory, sink):  # noqa: F811
    desk = make_desk(portal={"new_case_policy": "ticket"})
    raw = ("From: =?utf-8?q?=C3=85sa?= <asa@kund.se>\r\nTo: support@example.com\r\n"
           "Subject: =?utf-8?q?Hj=C3=A4lp=0D=0ABcc:_evil@evil.example=0D=0AX-Injected:_yes?=\r\n"
           f"Message-ID: <{uuid.uuid4().hex}@kund.se>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej\r\n").encode()
    assert desk.receive(raw).disposition == "processed"
    _settings, worker = make_worker(session_factory, Clock(OPEN), sink.port)
    assert worker.run_once() == 1
    [(_from, rcpts, data)] = sink.wait_for(1)
    answer = message_from_bytes(data, policy=policy.default)
    assert rcpts == ["asa@kund.se"] and answer["Bcc"] is None and answer["X-Injected"] is None
    assert "Bcc: evil@evil.example X-Injected: yes" in answer["Subject"]  # one line, shown as text


@pytest.mark.parametrize("where", ["subject", "body", "name"])
def test_template_syntax_from_a_customer_stays_text(make_desk, session_factory, sink, where):  # noqa: F811
    desk = make_desk(portal={"new_case_policy": "ticket"}, slack={"enabled": True, "staff_channel": "C0STAFF0001"})
    probe = "{{ 7*7 }} {% for x in range(3) %}x{% endfor %} {{ config }}"
    fields = {"subject": {"subject": f"Fel {probe}"}, "body": {"body": f"Text {probe}"},
              "name": {"sender": f'"Åsa {probe}" <asa@kund.se>'}}[where]
    assert desk.receive(mail(**fields)).disposition == "processed"
    _settings, worker = make_worker(session_factory, Clock(OPEN), sink.port)
    worker.run_once()
    [(_from, _rcpts, data)] = sink.wait_for(1)
    sent = message_from_bytes(data, policy=policy.default)
    text = sent["Subject"] + sent.get_body(("plain",)).get_content() + sent.get_body(("html",)).get_content()
    assert "xxx" not in text and "Settings" not in text  # no loop ran, no object was printed
    with desk.sessions() as session:
        timeline = session.query(OutboxRow).filter_by(kind="slack.timeline").one().payload
        ticket = session.query(Ticket).one()
    if where == "subject":
        assert "Fel {{ 7*7 }} {% for" in sent["Subject"] and "{{ 7*7 }}" in ticket.subject
    elif where == "body":
        assert "{{ 7*7 }}" in timeline["text"]
    else:
        assert "{{ 7*7 }}" in timeline["author"]


def test_a_mail_to_ten_thousand_recipients_is_one_mail_from_one_sender(make_desk, session_factory, sink):  # noqa: F811
    # The speed is measured in bench/bench_hostile.py; here: what it becomes.
    desk = make_desk(portal={"new_case_policy": "ticket"})
    to = ", ".join(f"user{n}@lists.example" for n in range(10_000))
    assert desk.receive(mail(to=f"support@example.com, {to}")).disposition == "processed"
    with desk.sessions() as session:
        assert session.query(TicketParticipant).one().email == "asa@kund.se"
        [row] = session.query(OutboxRow).filter_by(kind="email").all()
    assert row.payload["to"] == ["asa@kund.se"]
    _settings, worker = make_worker(session_factory, Clock(OPEN), sink.port)
    worker.run_once()
    assert [rcpts for _from, rcpts, _data in sink.wait_for(1)] == [["asa@kund.se"]]


@pytest.mark.parametrize("how", ["token", "message-id", "reference"])
def test_a_contact_of_another_organisation_cannot_add_to_a_ticket(desk, how):
    with desk.sessions() as session:
        other = Organisation(number="2002", name="Annan AB", created_at=OPEN)
        session.add_all([other, Contact(organisation=other, email="eva@annan.se", name="Eva Berg", created_at=OPEN)])
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Exporten", origin="portal", created_at=OPEN,
                                       participants=("asa@kund.se",), status="open",
                                       organisation_id=session.query(Organisation).filter_by(number="1001").one().id)
        messages.append_message(session, ticket, direction="outbound", channel="email",
                                message_id="<sb-org@example.com>", created_at=OPEN)
        session.commit()
    raw = {"token": mail(sender="Eva Berg <eva@annan.se>", to=f"support+{ticket.reply_token}@example.com"),
           "message-id": mail(sender="Eva Berg <eva@annan.se>", in_reply_to="<sb-org@example.com>"),
           "reference": mail(sender="Eva Berg <eva@annan.se>", subject=f"SV: [{ticket.reference}] Exporten")}[how]
    outcome = desk.receive(raw)
    assert outcome.disposition == "quarantined" and "eva@annan.se, who is not a participant" in outcome.reason
    with desk.sessions() as session:
        assert session.query(TicketMessage).filter_by(direction="inbound").count() == 0
    assert desk.mails() == []
