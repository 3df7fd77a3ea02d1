"""SmtpSender against real SMTP servers: delivery, threading headers, failure classes."""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone

import pytest

from bot.mail.compose import SUPPORTBOT_ID_HEADER, compose_message, make_message_id
from bot.mail.smtp_sender import (
    PartialDeliveryError,
    PermanentDeliveryError,
    SmtpSender,
    TemporaryDeliveryError,
)
from bot.rendering.email import RenderedMessage, TemplateRenderer
from bot.rendering.samples import sample_context
from tests.support.smtp_sink import SmtpSink, free_port

SENT_AT = datetime(2026, 5, 18, 7, 30, tzinfo=timezone.utc)
THREAD = ["<portal-17@portal.example.com>", "<AM0PR07MB1234567890ABCDEF1234567890ABCDEF@AM0PR07MB1234.eurprd07.prod.outlook.com>"]


def _message(to: str = "anna@example.org", **kwargs):
    rendered = TemplateRenderer().render("agent_reply", "sv", sample_context("agent_reply", "sv"))
    values = dict(
        from_address="support@example.com",
        from_name="Kundsupport Västerås",
        to=[("Anna Ågren", to)],
        message_id=make_message_id("example.com"),
        date=SENT_AT,
        outbox_key="outbox-42",
        thread=THREAD,
        reference="TC-2026-00042",
        reply_token="Xk3q9Tz",
    )
    return compose_message(rendered, **(values | kwargs))


def test_delivers_message_and_envelope(smtp_sink, sink_settings):
    msg = _message()
    SmtpSender(sink_settings(smtp_sink.port)).send(msg, "bounces@example.com", ["anna@example.org"])

    [(mail_from, rcpt_tos, raw)] = smtp_sink.wait_for(1)
    assert mail_from == "bounces@example.com"
    assert rcpt_tos == ["anna@example.org"]
    assert all(byte < 128 for byte in raw), "the message must not need 8BITMIME"
    received = smtp_sink.parsed(0)
    assert received["Message-ID"] == msg["Message-ID"]
    assert received["In-Reply-To"] == THREAD[-1]
    assert received["References"].split() == THREAD
    assert received["Reply-To"].addresses[0].addr_spec == "support+Xk3q9Tz@example.com"
    assert received[SUPPORTBOT_ID_HEADER] == "outbox-42"
    assert received["Auto-Submitted"] is None  # an agent's personal reply


def test_swedish_characters_survive_the_round_trip(smtp_sink, sink_settings):
    SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", ["anna@example.org"])

    smtp_sink.wait_for(1)
    received = smtp_sink.parsed(0)
    assert received["Subject"] == "[TC-2026-00042] Exporten till ekonomisystemet stannar på 80 %"
    assert received["From"].addresses[0].display_name == "Kundsupport Västerås"
    assert received["To"].addresses[0].display_name == "Anna Ågren"
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Gå till Inställningar → Export" in text
    assert "Med vänliga hälsningar\nErik Johansson" in text
    assert "Hör av dig om det inte hjälper!" in html


def test_automatic_message_carries_loop_headers(smtp_sink, sink_settings):
    SmtpSender(sink_settings(smtp_sink.port)).send(_message(automatic=True), "support@example.com", ["anna@example.org"])

    smtp_sink.wait_for(1)
    received = smtp_sink.parsed(0)
    assert received["Auto-Submitted"] == "auto-replied"
    assert received["X-Auto-Response-Suppress"] == "All"


def test_temporary_reply_to_data_is_temporary(smtp_sink, sink_settings):
    smtp_sink.fail_next(451)
    sender = SmtpSender(sink_settings(smtp_sink.port))

    with pytest.raises(TemporaryDeliveryError) as caught:
        sender.send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.code == 451
    assert caught.value.stage == "data"
    assert smtp_sink.messages == []

    sender.send(_message(), "support@example.com", ["anna@example.org"])  # the retry goes through
    assert len(smtp_sink.wait_for(1)) == 1


def test_permanent_reply_to_data_is_permanent(smtp_sink, sink_settings):
    smtp_sink.fail_next(554, text="5.7.1 Message rejected as spam")

    with pytest.raises(PermanentDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.code == 554
    assert "5.7.1 Message rejected as spam" in caught.value.message


def test_refused_recipient_is_permanent(smtp_sink, sink_settings):
    smtp_sink.refuse_recipient("nobody@example.org", 550)

    with pytest.raises(PermanentDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(to="nobody@example.org"), "support@example.com", ["nobody@example.org"])
    assert not isinstance(caught.value, PartialDeliveryError)
    assert caught.value.code == 550
    assert caught.value.stage == "rcpt"
    assert caught.value.refused == {"nobody@example.org": (550, "5.1.1 No such user")}


def test_recipient_refused_for_now_is_temporary(smtp_sink, sink_settings):
    smtp_sink.fail_next(450, stage="rcpt", text="4.2.0 Mailbox busy")

    with pytest.raises(TemporaryDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.code == 450


def test_sender_refused_is_classified_by_code(smtp_sink, sink_settings):
    smtp_sink.fail_next(553, stage="mail", text="5.7.1 Sender not allowed")

    with pytest.raises(PermanentDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", ["anna@example.org"])
    assert (caught.value.code, caught.value.stage) == (553, "mail")


def test_partly_refused_is_partial_and_not_resent(smtp_sink, sink_settings):
    smtp_sink.refuse_recipient("gone@example.org")
    recipients = ["anna@example.org", "gone@example.org"]

    with pytest.raises(PartialDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", recipients)
    assert set(caught.value.refused) == {"gone@example.org"}
    [(_, rcpt_tos, _)] = smtp_sink.wait_for(1)
    assert rcpt_tos == ["anna@example.org"]


def test_connection_refused_is_temporary(sink_settings):
    port = free_port()  # nothing listens there

    with pytest.raises(TemporaryDeliveryError) as caught:
        SmtpSender(sink_settings(port)).send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.code is None
    assert caught.value.stage == "connect"
    assert f"127.0.0.1:{port}" in caught.value.message


def test_server_closing_at_once_is_temporary(sink_settings):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        closer = threading.Thread(target=lambda: listener.accept()[0].close())
        closer.start()

        with pytest.raises(TemporaryDeliveryError) as caught:
            SmtpSender(sink_settings(listener.getsockname()[1])).send(_message(), "support@example.com", ["anna@example.org"])
        closer.join(5)
    assert "SMTPServerDisconnected" in caught.value.message


def test_connection_dropped_during_data_is_temporary(smtp_sink, sink_settings):
    smtp_sink.drop_next()

    with pytest.raises(TemporaryDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port)).send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.stage == "transaction"


def test_silent_server_times_out_as_temporary(sink_settings):
    with socket.socket() as listener:  # accepts in the kernel's backlog, never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        settings = sink_settings(listener.getsockname()[1], timeout_s=0.3)

        with pytest.raises(TemporaryDeliveryError) as caught:
            SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
    assert "timed out" in caught.value.message


def test_auth_over_plain_text(sink_settings):
    sink = SmtpSink(credentials=("supportbot", "s3cret-Pa55word")).start()
    try:
        settings = sink_settings(sink.port, username="supportbot", password="s3cret-Pa55word")
        SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
        sink.wait_for(1)
        assert sink.logins == ["supportbot"]
    finally:
        sink.stop()


def test_wrong_password_is_temporary_and_never_logged(sink_settings):
    sink = SmtpSink(credentials=("supportbot", "right")).start()
    try:
        settings = sink_settings(sink.port, username="supportbot", password="wrong-Hunter2")
        with pytest.raises(TemporaryDeliveryError) as caught:
            SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
    finally:
        sink.stop()
    assert (caught.value.code, caught.value.stage) == (535, "auth")
    assert "wrong-Hunter2" not in str(caught.value)
    assert "wrong-Hunter2" not in repr(caught.value.args)


def test_non_ascii_password_is_a_clear_error_without_the_password(sink_settings):
    sink = SmtpSink(credentials=("supportbot", "lösenord")).start()
    try:
        settings = sink_settings(sink.port, username="supportbot", password="lösenord")
        with pytest.raises(TemporaryDeliveryError) as caught:
            SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
    finally:
        sink.stop()
    assert caught.value.stage == "auth"
    assert "non-ASCII" in caught.value.message
    assert "lösenord" not in caught.value.message


def test_starttls_without_verification(server_tls_context, sink_settings):
    sink = SmtpSink(starttls_context=server_tls_context).start()
    try:
        settings = sink_settings(sink.port, security="starttls", verify_certificates=False)
        SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
        assert len(sink.wait_for(1)) == 1
    finally:
        sink.stop()


def test_starttls_verifies_certificates_by_default(server_tls_context, sink_settings):
    sink = SmtpSink(starttls_context=server_tls_context).start()
    try:
        with pytest.raises(TemporaryDeliveryError) as caught:
            SmtpSender(sink_settings(sink.port, security="starttls")).send(_message(), "support@example.com", ["anna@example.org"])
    finally:
        sink.stop()
    assert caught.value.stage == "tls"
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message
    assert sink.messages == []


def test_starttls_required_but_not_offered(smtp_sink, sink_settings):
    with pytest.raises(TemporaryDeliveryError) as caught:
        SmtpSender(sink_settings(smtp_sink.port, security="starttls")).send(_message(), "support@example.com", ["anna@example.org"])
    assert caught.value.stage == "tls"
    assert smtp_sink.messages == []


def test_implicit_tls(server_tls_context, sink_settings):
    sink = SmtpSink(implicit_tls_context=server_tls_context).start()
    try:
        settings = sink_settings(sink.port, security="ssl", verify_certificates=False)
        SmtpSender(settings).send(_message(), "support@example.com", ["anna@example.org"])
        sink.wait_for(1)
        assert sink.parsed(0)["Subject"].startswith("[TC-2026-00042]")
    finally:
        sink.stop()


def test_minimal_message_without_thread(smtp_sink, sink_settings):
    rendered = RenderedMessage(subject="Hej", text="Hej!\n", html="<p>Hej!</p>\n")
    msg = compose_message(
        rendered, from_address="support@example.com", from_name="Support", to=["a@example.org"],
        message_id=make_message_id("example.com"), date=SENT_AT, outbox_key="k1",
    )
    SmtpSender(sink_settings(smtp_sink.port)).send(msg, "support@example.com", ["a@example.org"])

    smtp_sink.wait_for(1)
    received = smtp_sink.parsed(0)
    assert received["In-Reply-To"] is None and received["References"] is None
    assert received["Reply-To"] is None
    assert received["Subject"] == "Hej"
