"""The IMAP poller against a real server: backlog, IDLE, restarts, UIDVALIDITY, duplicates, poison."""

from __future__ import annotations

import time

import pytest

from bot.intake import pipeline
from bot.app.config import ImapSettings
from bot.mail.imap_poller import Backoff, ImapPoller
from storage.models import OutboxRow
from tests.support.edge_fixtures import PollerThread, count_rows, raw_rows, utc_clock, wait_until
from tests.support.imap_server import available_server_kinds


def mail(number: int, subject: str = "Fråga om licens", message_id: str | None = None) -> bytes:
    message_id = message_id or f"<m{number}.{time.monotonic_ns()}@kund.se>"
    return (
        f"From: Åsa Admin <asa@kund.se>\r\nTo: support@example.com\r\nSubject: {subject} {number}\r\n"
        f"Message-ID: {message_id}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\nHej, mail nummer {number}. Sökväg C:\\Temp\r\n"
    ).encode()


def make_poller(server, store, processor, **settings):
    settings.setdefault("password", server.password)
    settings.setdefault("timeout_s", 5.0)  # a connection that goes silent is replaced well inside wait_until
    imap = ImapSettings(
        enabled=True, host=server.host, port=server.port, security="plain", username=server.username, **settings
    )
    return ImapPoller(
        imap, store, utc_clock, on_stored=lambda ids: [processor.process(i) for i in ids],
        backoff=Backoff(0.05, 0.5), auth_retry_s=0.2, idle_check_s=0.1,
    )


def seen_uids(server):
    with server.client() as client:
        client.select_folder("INBOX", readonly=True)
        return sorted(client.search(["SEEN"]))


def test_backlog_is_stored_processed_and_flagged(imap_server, store, processor):
    uids = [imap_server.append("INBOX", mail(n)) for n in range(3)]
    with PollerThread(make_poller(imap_server, store, processor)) as poller:
        wait_until(lambda: len(raw_rows(store, "processed")) == 3)
        wait_until(lambda: seen_uids(imap_server) == sorted(uids))
    rows = raw_rows(store)
    assert [row.source for row in rows] == ["imap"] * 3
    assert all(row.raw.endswith(b"C:\\Temp\r\n") for row in rows)
    assert poller.sessions_started == 1


def test_idle_delivers_a_new_mail(imap_server, store, processor):
    with PollerThread(make_poller(imap_server, store, processor)) as poller:
        assert poller.connected.wait(10)
        started = time.monotonic()
        imap_server.append("INBOX", mail(1))
        wait_until(lambda: len(raw_rows(store, "processed")) == 1)
        latency = time.monotonic() - started
    print(f"IDLE append→processed: {latency * 1000:.0f} ms on {imap_server.kind}")
    assert latency < 5


def test_polling_fallback_without_idle(imap_server, store, processor):
    poller = make_poller(imap_server, store, processor, use_idle=False, poll_interval_s=0.2)
    with PollerThread(poller):
        assert poller.connected.wait(10)
        for number in range(3):
            imap_server.append("INBOX", mail(number))
            wait_until(lambda: count_rows(store) == number + 1)
    assert poller.idle_sessions == 0 and poller.polls >= 3


@pytest.mark.parametrize("kind", available_server_kinds("restart"))
def test_server_restart_during_idle_loses_nothing(imap_server_factory, store, processor, kind):
    server = imap_server_factory(kind)
    server.append("INBOX", mail(1))
    with PollerThread(make_poller(server, store, processor)) as poller:
        wait_until(lambda: count_rows(store) == 1)
        server.restart()
        server.append("INBOX", mail(2))
        wait_until(lambda: len(raw_rows(store, "processed")) == 2)
        assert poller.sessions_started >= 2
    assert len(raw_rows(store)) == 2


@pytest.mark.parametrize("kind", available_server_kinds("uidvalidity_change"))
def test_uidvalidity_change_resyncs_without_duplicates(imap_server_factory, store, processor, kind):
    server = imap_server_factory(kind)
    for number in range(2):
        server.append("INBOX", mail(number))
    with PollerThread(make_poller(server, store, processor)):
        wait_until(lambda: count_rows(store) == 2)
    server.force_uidvalidity_change("INBOX")
    server.append("INBOX", mail(3))
    with PollerThread(make_poller(server, store, processor)):
        wait_until(lambda: count_rows(store) == 3)
        wait_until(lambda: len(seen_uids(server)) == 3)
    assert len(raw_rows(store, "processed")) == 3


def test_same_message_appended_twice_is_stored_once(imap_server, store, processor):
    imap_server.append("INBOX", mail(1, message_id="<dup@kund.se>"))
    imap_server.append("INBOX", mail(1, message_id="<dup@kund.se>"))
    with PollerThread(make_poller(imap_server, store, processor)):
        wait_until(lambda: len(seen_uids(imap_server)) == 2)
    assert [row.message_id for row in raw_rows(store)] == ["<dup@kund.se>"]


def test_poison_mail_is_quarantined_and_the_next_one_still_processed(imap_server, store, processor, monkeypatch):
    class Explode:
        NAME = "explode"

        @staticmethod
        def handle(ctx):
            if "poison" in ctx.message.subject:
                raise ValueError("handler bug on this input")

    monkeypatch.setitem(pipeline.HANDLERS, "explode", Explode)
    monkeypatch.setitem(pipeline.PIPELINES, "email", pipeline.PIPELINES["email"] + ("explode",))
    imap_server.append("INBOX", mail(1))
    imap_server.append("INBOX", mail(2, subject="poison"))
    imap_server.append("INBOX", mail(3))
    with PollerThread(make_poller(imap_server, store, processor)):
        wait_until(lambda: {row.state for row in raw_rows(store)} == {"processed", "quarantined"}
                   and count_rows(store) == 3)
    states = [(row.state, row.reason) for row in raw_rows(store)]
    assert states[0][0] == states[2][0] == "processed"
    assert states[1] == ("quarantined", "ValueError: handler bug on this input")
    assert "Traceback" in raw_rows(store, "quarantined")[0].traceback
    with store() as session:
        [alert] = session.query(OutboxRow).filter_by(kind="slack.alert").all()
        assert "quarantined" in alert.payload["text"] and "handler bug" in alert.payload["text"]


def test_processed_mail_can_be_moved_to_a_folder(imap_server, store, processor):
    with imap_server.client() as client:
        client.create_folder("Processed")
    imap_server.append("INBOX", mail(1))
    with PollerThread(make_poller(imap_server, store, processor, processed_folder="Processed")):
        wait_until(lambda: count_rows(store) == 1)

        def moved():
            with imap_server.client() as client:
                return client.select_folder("Processed", readonly=True)[b"EXISTS"] == 1

        wait_until(moved)


def test_wrong_password_is_reported_and_retried_not_fatal(imap_server, store, processor):
    poller = make_poller(imap_server, store, processor, password="wrong")
    with PollerThread(poller):
        wait_until(lambda: poller.last_error and "login refused" in poller.last_error)
        assert poller.sessions_started == 0
        wait_until(lambda: poller._backoff.failures == 0)  # auth retry is slow and fixed, no crash loop
    assert "wrong" not in poller.last_error


def test_mail_announced_between_search_and_idle_is_not_left_waiting(imap_server):
    """The race that delayed a mail until the next IDLE renewal: EXISTS arrives with the SEARCH's answer."""
    from bot.mail.imap_poller import _exists_reported

    with imap_server.client() as client:
        client.select_folder("INBOX")
        _exists_reported(client)  # whatever SELECT reported
        imap_server.append("INBOX", mail(1))
        client.noop()  # any command now carries "* 1 EXISTS" back, as the SEARCH did in the race
        assert _exists_reported(client) is True
        assert _exists_reported(client) is False  # read once, then forgotten
