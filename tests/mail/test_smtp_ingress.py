"""The SMTP ingress through smtplib: accepted, refused recipients, oversize, database down."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import threading

import pytest

from bot.app.config import SmtpIngressSettings
from bot.mail.smtp_ingress import IngressHandler, SmtpIngress, accepts
from storage.db import make_engine, make_session_factory
from tests.support.edge_fixtures import raw_rows, utc_clock, wait_until

MAIL = (
    "From: Åsa <asa@kund.se>\r\nTo: support@example.com\r\nSubject: Hjälp\r\nMessage-ID: <s1@kund.se>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHej åäö\r\n"
).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningIngress:
    """The ingress on an event loop in a background thread, as the service runs it."""

    def __init__(self, session_factory, on_stored=lambda ids: None, **settings):
        self.settings = SmtpIngressSettings(enabled=True, port=free_port(), **settings)
        self.ingress = SmtpIngress(self.settings, IngressHandler(self.settings, session_factory, utc_clock, on_stored))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.ingress.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.ingress.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def client(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.settings.port, timeout=10)


@pytest.mark.parametrize(
    ("address", "ok"),
    [("support@example.com", True), ("Support@Example.com", True), ("support+ab12cd@example.com", True),
     ("<support+x@example.com>", True), ("sales@example.com", False), ("support@evil.example", False),
     ("support", False)],
)
def test_accepted_recipients(address, ok):
    assert accepts(address, ["support@example.com"]) is ok


def test_mail_is_committed_before_250_and_handed_on(store):
    handed = []
    with RunningIngress(store, on_stored=handed.extend) as running, running.client() as client:
        refused = client.sendmail("asa@kund.se", ["support+tok123@example.com"], MAIL)
    assert refused == {}
    [row] = raw_rows(store)
    assert row.raw == MAIL and row.source == "smtp" and row.state == "received"
    assert row.envelope_to == "support+tok123@example.com" and row.message_id == "<s1@kund.se>"
    assert handed == [row.id]


def test_same_mail_twice_is_stored_once(store):
    with RunningIngress(store) as running, running.client() as client:
        client.sendmail("asa@kund.se", ["support@example.com"], MAIL)
        client.sendmail("asa@kund.se", ["support@example.com"], MAIL)
    assert len(raw_rows(store)) == 1


def test_unknown_recipient_gets_550_at_rcpt(store):
    with RunningIngress(store) as running, running.client() as client:
        client.ehlo()
        client.mail("asa@kund.se")
        code, message = client.rcpt("sales@example.com")
    assert code == 550 and b"5.1.1" in message
    assert raw_rows(store) == []


def test_oversize_mail_gets_552_when_declared_at_mail_from(store):
    big = MAIL + (b"x" * 70 + b"\r\n") * 80
    with RunningIngress(store, max_message_bytes=2048) as running, running.client() as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as info:
            client.sendmail("asa@kund.se", ["support@example.com"], big)  # smtplib sends SIZE=
    assert info.value.smtp_code == 552
    assert raw_rows(store) == []


def test_oversize_mail_gets_552_after_data_when_undeclared(store):
    big = MAIL + (b"x" * 70 + b"\r\n") * 80
    with RunningIngress(store, max_message_bytes=2048) as running, running.client() as client:
        client.ehlo()
        client.mail("asa@kund.se")
        client.rcpt("support@example.com")
        code, _message = client.data(big)
    assert code == 552
    assert raw_rows(store) == []


def test_database_down_gets_451_and_the_sender_keeps_the_mail():
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with RunningIngress(make_session_factory(engine)) as running, running.client() as client:
        with pytest.raises(smtplib.SMTPDataError) as info:
            client.sendmail("asa@kund.se", ["support@example.com"], MAIL)
    assert info.value.smtp_code == 451
    engine.dispose()


def test_stored_mail_is_processed_by_the_intake(store, processor):
    with RunningIngress(store, on_stored=lambda ids: [processor.process(i) for i in ids]) as running:
        with running.client() as client:
            client.sendmail("asa@kund.se", ["support@example.com"], MAIL)
        wait_until(lambda: raw_rows(store, "processed"))


def test_data_is_stored_byte_for_byte_past_the_in_memory_spool(store):
    # Lines starting with "." are dot-stuffed on the wire and must come back whole;
    # 2 MiB is past the 1 MiB the DATA spool keeps in memory.
    body = b"".join(b".line %d \xc3\xa5\xc3\xa4\xc3\xb6 " % n + b"x" * 60 + b"\r\n" for n in range(24000))
    raw = MAIL.replace(b"<s1@kund.se>", b"<s2@kund.se>") + body + b"..\r\n.\r\n"
    with RunningIngress(store, max_message_bytes=4 * 1024 * 1024) as running, running.client() as client:
        assert client.sendmail("asa@kund.se", ["support@example.com"], raw) == {}
    [row] = raw_rows(store)
    assert row.raw == raw


def test_a_line_over_1000_octets_gets_500_and_nothing_is_stored(store):
    with RunningIngress(store) as running, running.client() as client:
        client.ehlo()
        client.mail("asa@kund.se")
        client.rcpt("support@example.com")
        code, _message = client.data(MAIL + b"y" * 1200 + b"\r\n")
        assert code == 500
        assert client.sendmail("asa@kund.se", ["support@example.com"], MAIL) == {}  # the session goes on
    assert [row.raw for row in raw_rows(store)] == [MAIL]
