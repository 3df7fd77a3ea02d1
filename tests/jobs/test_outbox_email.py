"""Queued mail reaches a real SMTP server once, threaded, with retries and failures handled."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from bot.app.config import Settings, SmtpSettings
from bot.mail.deliverer import EmailDeliverer
from bot.mail.smtp_sender import SmtpSender
from bot.jobs.outbox import RetryPolicy
from bot.jobs.outbox_worker import OutboxWorker
from storage.repositories.mail_queue import queue_email
from bot.rendering.email import TemplateRenderer
from storage.models import OutboxRow, TicketEvent, TicketMessage
from storage.repositories import messages, tickets
from tests.support.smtp_sink import SmtpSink, free_port
from tests.support.desk_zone import DESK_ZONE


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc))


@pytest.fixture
def sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def make_worker(session_factory, clock, port, name="w1", horizon_s=3600.0):
    settings = Settings(smtp=SmtpSettings(host="127.0.0.1", port=port, security="plain", timeout_s=5))
    renderer = TemplateRenderer.from_settings(settings)
    deliverer = EmailDeliverer(settings, renderer, SmtpSender(settings.smtp), clock)
    policy = RetryPolicy(base_s=30, max_s=600, horizon_s=horizon_s)
    return settings, OutboxWorker(session_factory, {"email": deliverer}, clock, worker_id=name, policy=policy,
                                  rng=random.Random(1))


def queue_reply(session_factory, settings, clock, key="t1:reply:1"):
    with session_factory() as session:
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Inloggning misslyckas", origin="email",
                                       created_at=clock(), participants=("asa@kund.se",))
        messages.append_message(session, ticket, direction="inbound", channel="email",
                                message_id="<first@kund.se>", text="Hej", created_at=clock())
        message_id = queue_email(
            session, clock(), domain="example.com", from_address=settings.smtp.from_address, key=key, template="agent_reply", lang="sv", to=["asa@kund.se"],
            context={"contact_name": "Åsa", "reference": ticket.reference, "subject": ticket.subject,
                     "body": "Pröva att logga in igen.", "agent_name": "Örjan"},
            ticket=ticket, automatic=False,
        )
        session.commit()
        return ticket, message_id


def test_mail_is_sent_once_with_threading_headers(session_factory, clock, sink):
    settings, worker = make_worker(session_factory, clock, sink.port)
    ticket, message_id = queue_reply(session_factory, settings, clock)
    with session_factory() as session:
        queue_email(session, clock(), domain="example.com", from_address="support@example.com", key="t1:reply:1", template="agent_reply", lang="sv",
                    to=["asa@kund.se"], context={}, ticket=ticket)  # same key: nothing new
        session.commit()
    assert worker.run_once() == 1 and worker.run_once() == 0
    [(_mail_from, rcpt_tos, _raw)] = sink.wait_for(1)
    assert rcpt_tos == ["asa@kund.se"]
    mail = sink.parsed(0)
    assert mail["Message-ID"] == message_id
    assert mail["In-Reply-To"] == "<first@kund.se>"
    assert mail["Subject"].startswith(f"[{ticket.reference}]")
    assert f"support+{ticket.reply_token}@example.com" in mail["Reply-To"]
    assert mail["Auto-Submitted"] is None  # an agent's personal reply
    assert mail["X-Supportbot-Id"] == "t1:reply:1"
    assert "Pröva att logga in igen." in mail.get_body(("plain",)).get_content()
    with session_factory() as session:
        sent = session.query(TicketMessage).filter_by(message_id=message_id).one()
        assert "Pröva att logga in igen." in sent.text and sent.direction == "outbound"
        assert [e.kind for e in session.query(TicketEvent)] == ["mail_sent"]
        assert session.query(OutboxRow).one().state == "sent"


def test_server_down_then_up_delivers_once(session_factory, clock):
    port = free_port()
    settings, worker = make_worker(session_factory, clock, port)
    queue_reply(session_factory, settings, clock)
    assert worker.run_once() == 1  # connection refused → retry later
    with session_factory() as session:
        row = session.query(OutboxRow).one()
        assert row.state == "pending" and row.next_attempt_at > clock() and "connect" in row.last_error
    sink = SmtpSink().start(port)
    try:
        assert worker.run_once() == 0  # not due yet
        clock.advance(minutes=1)
        assert worker.run_once() == 1
        assert len(sink.wait_for(1)) == 1
    finally:
        sink.stop()


def test_4xx_then_250(session_factory, clock, sink):
    settings, worker = make_worker(session_factory, clock, sink.port)
    queue_reply(session_factory, settings, clock)
    sink.fail_next(451, text="4.3.0 try again")
    worker.run_once()
    clock.advance(minutes=1)
    worker.run_once()
    assert len(sink.wait_for(1)) == 1
    with session_factory() as session:
        row = session.query(OutboxRow).one()
        assert row.state == "sent" and row.attempts == 2


def test_5xx_is_permanent_recorded_and_raised_to_staff(session_factory, clock, sink):
    settings, worker = make_worker(session_factory, clock, sink.port)
    ticket, _ = queue_reply(session_factory, settings, clock)
    sink.refuse_recipient("asa@kund.se", 550, "5.1.1 No such user")
    worker.run_once()
    clock.advance(hours=1)
    assert worker.run_once() == 0  # never retried
    with session_factory() as session:
        email_row = session.query(OutboxRow).filter_by(kind="email").one()
        assert email_row.state == "failed" and "550" in email_row.last_error
        [event] = session.query(TicketEvent).filter_by(ticket_id=ticket.id).all()
        assert event.kind == "delivery_failed" and "550" in event.data["error"] and event.data["outbox_kind"] == "email"
        alert = session.query(OutboxRow).filter_by(kind="slack.alert").one()
        assert "failed" in alert.payload["text"]
    assert sink.messages == []


def test_temporary_failures_past_the_horizon_fail_the_row(session_factory, clock):
    settings, worker = make_worker(session_factory, clock, free_port(), horizon_s=120)
    queue_reply(session_factory, settings, clock)
    for _ in range(6):
        worker.run_once()
        clock.advance(minutes=1)
    with session_factory() as session:
        row = session.query(OutboxRow).filter_by(kind="email").one()
        assert row.state == "failed" and row.last_error.startswith("gave up after")


def test_crash_after_acceptance_resends_at_most_once_with_the_same_message_id(session_factory, clock, sink):
    settings, worker = make_worker(session_factory, clock, sink.port, name="crashing")
    _, message_id = queue_reply(session_factory, settings, clock)
    # The worker claims and sends, then "dies" before settling the row.
    from storage.repositories import outbox

    with session_factory() as session:
        [row] = outbox.claim_due(session, clock(), "crashing", lease=timedelta(minutes=5))
        session.commit()
    with session_factory() as session:
        worker._deliverers["email"](row, session)  # accepted by the server; no mark_sent follows
        session.rollback()
    clock.advance(minutes=6)  # the lease runs out
    _, survivor = make_worker(session_factory, clock, sink.port, name="survivor")
    assert survivor.run_once() == 1
    assert survivor.run_once() == 0
    received = sink.wait_for(2)
    assert len(received) == 2
    assert sink.parsed(0)["Message-ID"] == sink.parsed(1)["Message-ID"] == message_id
