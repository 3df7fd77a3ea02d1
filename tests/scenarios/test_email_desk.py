"""End to end over real protocols: Dovecot → poller → pipeline → outbox → SMTP (aiosmtpd)."""

from __future__ import annotations

import random
from email import message_from_bytes, policy

from bot.app.config import ImapSettings, Settings, SmtpSettings
from bot.mail.deliverer import EmailDeliverer
from bot.mail.smtp_sender import SmtpSender
from bot.mail.imap_poller import Backoff, ImapPoller
from bot.intake.mail_runner import IntakeProcessor
from bot.jobs.outbox_worker import OutboxWorker
from bot.rendering.email import TemplateRenderer
from storage.models import OutboxRow, RawMessage, TicketMessage
from storage.repositories import tickets
from tests.handlers.conftest import CLOSED, OPEN, Desk, mail, make_desk  # noqa: F401
from tests.support.edge_fixtures import PollerThread, wait_until
from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401
from tests.support.smtp_sink import SmtpSink
from tests.support.desk_zone import DESK_ZONE


def run_desk(imap_server, session_factory, make_desk, at, sink):
    desk: Desk = make_desk()
    settings = Settings(smtp=SmtpSettings(host="127.0.0.1", port=sink.port, security="plain", timeout_s=5))
    clock = lambda: at  # noqa: E731 - a frozen clock at the awkward moment
    processor = IntakeProcessor(session_factory, desk.settings, clock, desk.services)
    poller = ImapPoller(
        ImapSettings(enabled=True, host=imap_server.host, port=imap_server.port, security="plain",
                     username=imap_server.username, password=imap_server.password),
        session_factory, clock, on_stored=lambda ids: [processor.process(i) for i in ids],
        backoff=Backoff(0.05, 0.5), idle_check_s=0.1,
    )
    deliverer = EmailDeliverer(settings, TemplateRenderer.from_settings(settings), SmtpSender(settings.smtp), clock)
    worker = OutboxWorker(session_factory, {"email": deliverer}, clock, worker_id="w", rng=random.Random(0))
    return poller, worker


def first_answer(imap_server, session_factory, make_desk, at, raw: bytes):
    """Append ``raw`` to the mailbox; the recipients and the parsed first mail the desk sends."""
    sink = SmtpSink().start()
    try:
        poller, worker = run_desk(imap_server, session_factory, make_desk, at, sink)
        imap_server.append("INBOX", raw)
        with PollerThread(poller):
            wait_until(lambda: worker.run_once() > 0)
        [(_from, rcpts, sent)] = sink.wait_for(1)
    finally:
        sink.stop()
    return rcpts, message_from_bytes(sent, policy=policy.default)


def test_new_case_out_of_hours_gets_the_portal_answer_naming_the_next_opening(
        imap_server, session_factory, make_desk):
    rcpts, answer = first_answer(imap_server, session_factory, make_desk, CLOSED, mail(
        sender="Åsa Andersson <asa@kund.se>", subject="Ny fråga om licenser", message_id="<fraga-1@kund.se>"))
    text = answer.get_body(("plain",)).get_content()
    assert rcpts == ["asa@kund.se"]
    assert "portal" in text.lower() and "måndag 16 mars kl. 09:00" in text
    assert answer["Auto-Submitted"] == "auto-replied" and answer["X-Auto-Response-Suppress"] == "All"
    # Threaded under the customer's mail, so their client shows question and answer together.
    assert answer["In-Reply-To"] == "<fraga-1@kund.se>" and answer["References"] == "<fraga-1@kund.se>"


def test_the_unknown_sender_answer_is_threaded_under_their_mail(imap_server, session_factory, make_desk):
    rcpts, answer = first_answer(imap_server, session_factory, make_desk, OPEN, mail(
        sender="Per Berg <per.berg@example.org>", subject="SV: Fakturan", message_id="<svar-2@example.org>",
        in_reply_to="<start-1@example.org>"))
    assert rcpts == ["per.berg@example.org"] and "per.berg@example.org" in answer.get_body(("plain",)).get_content()
    assert answer["In-Reply-To"] == "<svar-2@example.org>"
    assert answer["References"].split() == ["<start-1@example.org>", "<svar-2@example.org>"]


def test_reply_from_a_non_participant_is_quarantined(imap_server, session_factory, make_desk):
    sink = SmtpSink().start()
    try:
        poller, _worker = run_desk(imap_server, session_factory, make_desk, OPEN, sink)
        with session_factory() as session:
            ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Exporten", origin="portal", created_at=OPEN,
                                           participants=("asa@kund.se",))
            session.commit()
        imap_server.append("INBOX", mail(sender="mallory@evil.example", subject=f"SV: [{ticket.reference}] Exporten",
                                         body="Betala till detta konto i stället."))
        with PollerThread(poller):
            wait_until(lambda: _states(session_factory) == ["quarantined"])
    finally:
        sink.stop()
    with session_factory() as session:
        raw = session.query(RawMessage).one()
        assert "not a participant" in raw.reason and raw.raw.startswith(b"From: mallory@evil.example")
        assert session.query(TicketMessage).count() == 0
        assert "not a participant" in session.query(OutboxRow).filter_by(kind="slack.alert").one().payload["text"]
    assert sink.messages == []


def _states(session_factory):
    with session_factory() as session:
        return [row.state for row in session.query(RawMessage)]
