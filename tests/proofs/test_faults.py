"""Fault injection against `supportbot run`: the neighbours fail, the desk recovers by itself.

Each fault is injected from outside over the real protocol — Dovecot killed and
started again on the same port, the outbound SMTP server gone and back, the Slack
stand-in answering 429/500, the SQLite file locked by another connection — and
each test checks three things: nothing is lost (every mail answered or posted
exactly once), recovery needs no operator, and the log or /metrics tells the
operator what happened.

The database fault is a lock on SQLite (``BEGIN EXCLUSIVE`` from a second
connection), not a PostgreSQL restart: the PostgreSQL server on these machines
is shared by other test runs and may not be restarted.
"""

from __future__ import annotations

import smtplib
import sqlite3
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.devtools.slack_standin import SlackStandin
from storage.db import make_engine, make_session_factory
from storage.models import OutboxRow
from tests.handlers.conftest import mail
from tests.proofs.harness import STAFF_CHANNEL, SUPPORT, DeskConfig, ServiceProcess, http_get, poll_until, \
    prepare_database, send_smtp
from tests.support.imap_server import start_imap_server
from tests.support.smtp_sink import SmtpSink

STRANGER = "kim@elsewhere.example"


def sample(metrics_text: str, name: str, **labels) -> float | None:
    for family in text_string_to_metric_families(metrics_text):
        for item in family.samples:
            if item.name == name and item.labels == labels:
                return item.value
    return None


def outbox_rows(config: DeskConfig, kind: str | None = None) -> list[OutboxRow]:
    engine = make_engine(config.db_url)
    try:
        with make_session_factory(engine)() as session:
            query = select(OutboxRow).order_by(OutboxRow.id)
            if kind:
                query = query.where(OutboxRow.kind == kind)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def keys_sent(sink: SmtpSink) -> list[str]:
    return [str(sink.parsed(i)["X-Supportbot-Id"]).strip() for i in range(len(sink.messages))]


@pytest.fixture
def sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def running():
    """Start a service with ``running(config)``; killed after the test (tests that check the exit stop it)."""
    services: list[ServiceProcess] = []

    def start(config: DeskConfig) -> ServiceProcess:
        service = ServiceProcess(config).start()
        services.append(service)
        service.wait_healthy()
        return service

    yield start
    for service in services:
        service.kill()


def test_dovecot_killed_during_idle_and_back_on_the_same_port(tmp_path, sink, running):
    imap = start_imap_server(tmp_path / "imap")
    try:
        config = DeskConfig(tmp_path / "desk", sink.port, imap=imap)
        config.workdir.mkdir(parents=True)
        prepare_database(config.db_url)
        service = running(config)
        imap.append("INBOX", mail(sender=STRANGER, subject="före avbrottet"))
        sink.wait_for(1, timeout=15)  # pushed by IDLE, answered

        imap.stop()  # SIGKILL of Dovecot's process group: the IDLE connection is cut
        down = poll_until(lambda: (h := service.health()) and not h["components"]["imap"]["up"] and h,
                          timeout=15, what="/healthz showing imap down")
        assert down["status"] == "degraded" and http_get(config.ops_port, "/healthz")[0] == 503
        assert "connection lost" in down["components"]["imap"]["last_error"]
        metrics = service.metrics()
        assert sample(metrics, "supportbot_component_up", component="imap") == 0
        # Everything else goes on: mail over SMTP is still taken and answered.
        send_smtp(config.ingress_port, mail(sender="ulla@elsewhere.example", subject="via smtp"),
                  "ulla@elsewhere.example", [SUPPORT])
        sink.wait_for(2, timeout=15)
        time.sleep(1.0)
        assert service.running()
        assert sample(service.metrics(), "supportbot_imap_sync_lag_seconds") > 0

        imap.start()  # same port, same maildir
        imap.append("INBOX", mail(sender="bo@elsewhere.example", subject="efter avbrottet"))
        up = poll_until(lambda: (h := service.health()) and h["status"] == "ok" and h, timeout=30,
                        what="/healthz ok again")
        assert up["components"]["imap"] == {"up": True, "last_error": None, "restarts": 0}
        sink.wait_for(3, timeout=30)
        assert sorted(sink.messages[i][1][0] for i in range(3)) == [
            "bo@elsewhere.example", STRANGER, "ulla@elsewhere.example"]
        assert sample(service.metrics(), "supportbot_mail_stored_total", source="imap") == 2
    finally:
        imap.close()
    log = service.log_text()
    assert f"imap {imap.username}@127.0.0.1/INBOX: connection lost: abort: connection closed during IDLE" in log, \
        log[-2000:]
    assert service.stop() == 0
    assert len(sink.messages) == 3


def test_smtp_relay_down_then_refusing_then_back_delivers_once(tmp_path, sink, running):
    relay_port = sink.port
    sink.stop()  # the relay is down: connection refused
    config = DeskConfig(tmp_path / "desk", relay_port)  # retry_base_s 0.2, retry_max_s 1 (see harness)
    config.workdir.mkdir(parents=True)
    prepare_database(config.db_url)
    service = running(config)
    send_smtp(config.ingress_port, mail(sender=STRANGER, subject="Licenser"), STRANGER, [SUPPORT])

    [row] = poll_until(lambda: [r for r in outbox_rows(config, "email") if r.attempts >= 3], timeout=15,
                       what="three failed attempts")
    assert row.state in ("pending", "sending") and "refused" in (row.last_error or "").lower(), row.last_error
    metrics = service.metrics()
    assert sample(metrics, "supportbot_outbox_depth") == 1
    assert sample(metrics, "supportbot_outbox_oldest_age_seconds") >= 0
    assert "temporary failure, retry in" in service.log_text()

    sink.fail_next(451, count=2, stage="data")  # back, but "try again later" twice
    sink.start(relay_port)
    sink.wait_for(1, timeout=15)
    poll_until(lambda: all(r.state == "sent" for r in outbox_rows(config)), timeout=15, what="the outbox settled")
    time.sleep(1.5)  # longer than retry_max_s: a second send would have happened by now
    [row] = outbox_rows(config, "email")
    assert len(sink.messages) == 1 and row.attempts >= 6
    assert keys_sent(sink) == [row.idempotency_key]
    log = service.log_text()
    assert "connect: ConnectionRefusedError" in log and "data: 451 4.3.0 Try again later" in log
    assert sample(service.metrics(), "supportbot_outbox_depth") == 0


def test_slack_429_and_500s_still_post_one_card(tmp_path, sink, running):
    with SlackStandin() as standin:
        config = DeskConfig(tmp_path / "desk", sink.port, slack_base_url=standin.base_url, slack_token=standin.token)
        config.workdir.mkdir(parents=True)
        seeded = prepare_database(config.db_url, contacts=1)
        service = running(config)
        # 429 (Retry-After 1 s), then 500s: the deliverer's client does not sleep them
        # out (that would hold the database write lock); each goes back to the outbox,
        # which reschedules the row (after Retry-After for the 429) until it gets through.
        standin.fail_next("chat.postMessage", 429, retry_after=1, count=1)
        standin.fail_next("chat.postMessage", 500, count=4)
        contact = seeded.contacts[0]
        send_smtp(config.ingress_port, mail(sender=contact, subject="Exporten"), contact, [SUPPORT])

        def posts():
            return [c for c in standin.calls("chat.postMessage") if c.params.get("channel") == STAFF_CHANNEL]
        poll_until(lambda: len([c for c in posts() if c.ok]) >= 2, timeout=30, what="card and thread post")
        poll_until(lambda: all(r.state == "sent" for r in outbox_rows(config)), timeout=15, what="outbox settled")
        cards = [c for c in posts() if not c.params.get("thread_ts")]
        assert [c.status for c in cards] == [429, 500, 500, 500, 500, 200]
        [thread] = [c for c in posts() if c.params.get("thread_ts")]
        assert thread.ok and thread.params["thread_ts"] == cards[-1].response["ts"]
        metrics = service.metrics()
        assert sample(metrics, "supportbot_slack_api_errors_total", method="chat_postMessage", error="api") == 5
        log = service.log_text()
        assert "slack chat_postMessage: ratelimited, retry after 1 s" in log
        assert "outbox slack.card" in log and "temporary failure, retry in" in log
        assert "slack chat_postMessage: internal_error" in log
        assert service.stop() == 0
        assert len(sink.messages) == 1  # the receipt, once


# Found by this test: on SQLite the card deliverer held the database write lock while slack_sdk
# slept out a 429's Retry-After, so intake could not commit mail (4.8 s for Retry-After 5; 451s
# from 30 s on). The deliverers' client now raises 429/5xx at once and the outbox reschedules.
def test_a_slack_rate_limit_does_not_stall_mail_intake(tmp_path, sink, running):
    with SlackStandin() as standin:
        config = DeskConfig(tmp_path / "desk", sink.port, slack_base_url=standin.base_url, slack_token=standin.token)
        config.workdir.mkdir(parents=True)
        seeded = prepare_database(config.db_url, contacts=1)
        running(config)
        standin.fail_next("chat.postMessage", 429, retry_after=3, count=1)
        contact = seeded.contacts[0]
        send_smtp(config.ingress_port, mail(sender=contact, subject="Exporten"), contact, [SUPPORT])
        standin.wait_for("chat.postMessage", 1, timeout=10)  # the 429: the client now sleeps 3 s
        time.sleep(0.2)
        started = time.monotonic()
        send_smtp(config.ingress_port, mail(sender=STRANGER, subject="Frågor"), STRANGER, [SUPPORT])
        accepted_after = time.monotonic() - started
        assert accepted_after < 1.0, f"SMTP ingress took {accepted_after:.1f} s while Slack asked us to wait"


def test_database_locked_past_busy_timeout_answers_451_then_recovers(tmp_path, sink, running):
    """SQLite locked by another connection for 32 s (busy_timeout is 30 s): nothing lost, all recover.

    A mail sent at the start waits 30 s, is answered 451 and resent (as any MTA does);
    a mail sent 3 s before the release waits and is accepted once the lock is gone.
    """
    hold_s = 32.0
    config = DeskConfig(tmp_path / "desk", sink.port)
    config.workdir.mkdir(parents=True)
    prepare_database(config.db_url)
    service = running(config)
    replies: dict[str, list[tuple[str, float]]] = {"early": [], "late": []}
    locker = sqlite3.connect(config.db_path, isolation_level=None, timeout=5)
    locker.execute("BEGIN EXCLUSIVE")
    locked_at = time.monotonic()
    scraped: list[str] = []

    def send(name: str, sender: str) -> None:
        raw = mail(sender=sender, subject=f"Låst databas ({name})")
        for _attempt in range(3):
            try:
                send_smtp(config.ingress_port, raw, sender, [SUPPORT], timeout=60)
                replies[name].append(("250", time.monotonic() - locked_at))
                return
            except smtplib.SMTPResponseException as exc:
                replies[name].append((str(exc.smtp_code), time.monotonic() - locked_at))
                time.sleep(0.5)

    early = threading.Thread(target=send, args=("early", "early@elsewhere.example"))
    scrape = threading.Thread(target=lambda: scraped.append(service.metrics()))
    early.start()
    scrape.start()
    time.sleep(hold_s - 3)
    late = threading.Thread(target=send, args=("late", "late@elsewhere.example"))
    late.start()
    time.sleep(3)
    locker.execute("ROLLBACK")
    locker.close()
    released_at = time.monotonic() - locked_at
    for thread in (early, late, scrape):
        thread.join(60)

    [(first_code, first_at), (second_code, second_at)] = replies["early"]
    assert first_code == "451" and 29 < first_at < released_at and second_code == "250"
    [(late_code, late_at)] = replies["late"]
    assert late_code == "250" and late_at >= released_at
    sink.wait_for(2, timeout=30)
    health = poll_until(lambda: (h := service.health()) and h["status"] == "ok" and h, timeout=15,
                        what="/healthz ok after the lock")
    time.sleep(1.0)
    assert sorted(r[1][0] for r in sink.messages) == ["early@elsewhere.example", "late@elsewhere.example"]
    # What the operator sees: the 451 in the log, the scrape during the lock, crashed-and-restarted workers.
    assert sample(scraped[0], "supportbot_database_up") == 0
    log = service.log_text()
    assert "smtp ingress: database unavailable, answering 451" in log
    assert "database is locked" in log
    restarts = sum(c["restarts"] for c in health["components"].values())
    assert restarts >= 1 and sample(service.metrics(), "supportbot_component_restarts_total",
                                    component="outbox") >= 1
    assert service.stop() == 0
