"""The disposable IMAP servers behave like the real thing the poller will meet.

Every test runs against each available server kind (Dovecot and pymap
here; on CI Dovecot is mandatory). Tests of an optional capability are
parametrized only over the kinds that have it, so nothing is skipped.
Timings are printed (run with -s to see them).
"""

from __future__ import annotations

import imaplib
import os
import socket
import time

import pytest
from imapclient.exceptions import LoginError

from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401
from tests.support.imap_server import (
    SERVER_CLASSES, ImapServerUnavailable, NotSupportedByServer, _group_members,
    available_server_kinds, choose_server_kind, find_dovecot)

KINDS = available_server_kinds()
# What a dropped connection looks like through imapclient (see TESTING-NOTES).
CONNECTION_LOST = (imaplib.IMAP4.abort, OSError)

MESSAGES = [
    b"From: Kund <kund@example.se>\r\nTo: support@example.com\r\n"
    b"Subject: =?utf-8?q?Fr=C3=A5ga_om_licens?=\r\nMessage-ID: <1@example.se>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"Hej! Licensen g\xc3\xa5r ut p\xc3\xa5 fredag.\r\n.\r\nFrom the desk  \r\n",
    b"From: kalle@example.se\r\nSubject: Latin-1\r\nMessage-ID: <2@example.se>\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"
    b"R\xe4ksm\xf6rg\xe5s \\n backslash\r\n\r\n\r\n",
    b"From: a@example.com\r\nSubject: attachment\r\nMessage-ID: <3@example.com>\r\n"
    b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
    b"--XX\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\nAAECAwQF/w==\r\n--XX--\r\n",
]


def _message(n: int) -> bytes:
    return b"Subject: message %d\r\nMessage-ID: <%d@test>\r\n\r\nbody %d\r\n" % (n, n, n)


def _bodies(server, folder="INBOX") -> dict[int, bytes]:
    with server.client() as imap:
        imap.select_folder(folder, readonly=True)
        fetched = imap.fetch(imap.search(), ["BODY.PEEK[]"])
    return {uid: data[b"BODY[]"] for uid, data in fetched.items()}


def _wait_for_exists(imap, timeout: float) -> float | None:
    """The monotonic time an EXISTS arrived in IDLE, or None after `timeout` seconds."""
    started = time.monotonic()
    while (left := timeout - (time.monotonic() - started)) > 0:
        if any(len(r) > 1 and r[1] == b"EXISTS" for r in imap.idle_check(timeout=left)):
            return time.monotonic()
    return None


def _assert_connection_lost(imap) -> None:
    with pytest.raises(CONNECTION_LOST):
        imap.noop()


@pytest.mark.parametrize("kind", KINDS)
def test_appended_messages_come_back_byte_identical(imap_server_factory, kind):
    server = imap_server_factory(kind)
    print(f"\n{kind}: started in {server.startup_seconds * 1000:.0f} ms")

    uids = [server.append("INBOX", MESSAGES[0], flags=[r"\Seen"]),
            *server.append_many("INBOX", MESSAGES[1:])]

    assert _bodies(server) == dict(zip(uids, MESSAGES))
    with server.client() as imap:
        imap.select_folder("INBOX", readonly=True)
        assert imap.search(["SEEN"]) == uids[:1]


@pytest.mark.parametrize("kind", KINDS)
def test_idle_sees_an_append_from_another_connection(imap_server_factory, kind):
    server = imap_server_factory(kind)
    with server.client() as watcher, server.client() as writer:
        watcher.select_folder("INBOX")
        watcher.idle()
        writer.append("INBOX", MESSAGES[0])
        appended_at = time.monotonic()
        notified_at = _wait_for_exists(watcher, timeout=5.0)
        watcher.idle_done()

    assert notified_at is not None, "no EXISTS within 5 s"
    print(f"\n{kind}: IDLE EXISTS {(notified_at - appended_at) * 1000:.0f} ms after APPEND")


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_password_fails_fast_and_does_not_slow_the_next_login(imap_server_factory,
                                                                    kind):
    server = imap_server_factory(kind)
    started = time.monotonic()
    with pytest.raises(LoginError):
        server.client(password="wrong")
    failed_in = time.monotonic() - started

    started = time.monotonic()
    server.client().logout()
    next_login_in = time.monotonic() - started

    print(f"\n{kind}: bad login {failed_in * 1000:.0f} ms, next login "
          f"{next_login_in * 1000:.0f} ms")
    assert failed_in < 1.0
    assert next_login_in < 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_stop_is_fast_while_a_client_idles(imap_server_factory, kind):
    server = imap_server_factory(kind)
    group = server.pid
    watcher = server.client()
    watcher.select_folder("INBOX")
    watcher.idle()

    started = time.monotonic()
    server.stop()
    stopped_in = time.monotonic() - started

    print(f"\n{kind}: stop took {stopped_in * 1000:.1f} ms")
    assert stopped_in < 0.5
    # start() made this process a child subreaper, so even Dovecot's children
    # were reaped: no zombies. (Without that, PID 1 here would leave them.)
    assert _group_members(group) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=1).close()
    watcher.idle_check(timeout=1)  # [] or a BYE, never blocks
    with pytest.raises(CONNECTION_LOST):
        watcher.idle_done()
    watcher.shutdown()


@pytest.mark.parametrize("kind", available_server_kinds("restart"))
def test_restart_keeps_mail_and_port(imap_server_factory, kind):
    server = imap_server_factory(kind)
    for raw in MESSAGES:
        server.append("INBOX", raw)
    before = _bodies(server)
    port = server.port
    with server.client() as imap:
        validity = imap.select_folder("INBOX")[b"UIDVALIDITY"]
        server.restart()
        _assert_connection_lost(imap)

    assert server.port == port
    assert _bodies(server) == before
    with server.client() as imap:
        assert imap.select_folder("INBOX")[b"UIDVALIDITY"] == validity


@pytest.mark.parametrize("folder", ["INBOX", "Kunder.Arkiv åäö"])
@pytest.mark.parametrize("kind", available_server_kinds("uidvalidity_change"))
def test_forced_uidvalidity_change_keeps_the_messages(imap_server_factory, kind, folder):
    server = imap_server_factory(kind)
    if folder != "INBOX":
        with server.client() as imap:
            imap.create_folder(folder)
    for raw in MESSAGES:
        server.append(folder, raw)
    before = _bodies(server, folder)
    with server.client() as imap:
        old_validity = imap.folder_status(folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]

    new_validity = server.force_uidvalidity_change(folder)

    with server.client() as imap:
        status = imap.select_folder(folder)
    assert status[b"UIDVALIDITY"] == new_validity != old_validity
    assert sorted(_bodies(server, folder).values()) == sorted(before.values())
    assert server.append(folder, _message(4)) == status[b"UIDNEXT"]


UNSUPPORTED = [(kind, capability) for kind in KINDS
               for capability in ("restart", "uidvalidity_change")
               if not SERVER_CLASSES[kind].supports(capability)]


@pytest.mark.parametrize(("kind", "capability"), UNSUPPORTED)
def test_unsupported_operations_say_so(imap_server_factory, kind, capability):
    server = imap_server_factory(kind)
    operation = {"restart": server.restart,
                 "uidvalidity_change": server.force_uidvalidity_change}[capability]
    with pytest.raises(NotSupportedByServer):
        operation()
    server.append("INBOX", MESSAGES[0])  # and the server is still fine


@pytest.mark.parametrize("kind", available_server_kinds("multiple_users"))
def test_users_have_separate_mailboxes(imap_server_factory, kind):
    server = imap_server_factory(kind, users={"first": "one", "second": "two"})
    server.append("INBOX", _message(1))
    with server.client("second", "two") as imap:
        assert imap.select_folder("INBOX")[b"EXISTS"] == 0
    with server.client("first", "one") as imap:
        assert imap.select_folder("INBOX")[b"EXISTS"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_taken_port_fails_the_start_with_the_reason(tmp_path, kind):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        server = SERVER_CLASSES[kind](tmp_path)
        server.port = squatter.getsockname()[1]  # fixed, as after a restart
        try:
            with pytest.raises(ImapServerUnavailable, match="(?i)already in use"):
                server.start()
        finally:
            server.close()
    assert server.pid is None


def test_default_fixture_is_the_chosen_server(imap_server):  # noqa: F811
    assert imap_server.kind == choose_server_kind(os.environ, find_dovecot() is not None)
    imap_server.append("INBOX", _message(1))
    assert list(_bodies(imap_server).values()) == [_message(1)]
    with imap_server.client() as imap:
        assert imap.socket().getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@pytest.mark.parametrize(("environ", "installed", "expected"), [
    ({}, True, "dovecot"),
    ({}, False, "pymap"),
    ({"CI": "true"}, True, "dovecot"),
    ({"SUPPORTBOT_TEST_IMAP": "pymap"}, True, "pymap"),
    ({"SUPPORTBOT_TEST_IMAP": "pymap", "CI": "true"}, False, "pymap"),
    ({"SUPPORTBOT_TEST_IMAP": "dovecot"}, True, "dovecot"),
])
def test_server_choice(environ, installed, expected):
    assert choose_server_kind(environ, installed) == expected


@pytest.mark.parametrize("environ", [
    {"CI": "true"},  # CI must never quietly fall back to pymap
    {"SUPPORTBOT_TEST_IMAP": "dovecot"},
    {"SUPPORTBOT_TEST_IMAP": "cyrus"},
])
def test_server_choice_fails_loudly(environ):
    with pytest.raises(ImapServerUnavailable):
        choose_server_kind(environ, dovecot_installed=False)


def test_ci_always_parametrizes_over_dovecot():
    assert available_server_kinds(environ={"CI": "true"}, dovecot_installed=False) == [
        "dovecot", "pymap"]
    assert available_server_kinds(environ={}, dovecot_installed=False) == ["pymap"]
    assert available_server_kinds("restart", environ={}, dovecot_installed=True) == [
        "dovecot"]
