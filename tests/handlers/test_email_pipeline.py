"""What each mail means, end to end through the e-mail pipeline (no servers: the pipeline is pure of I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import Attachment, Contact, Inquiry, RawMessage, Ticket, TicketEvent, TicketMessage
from storage.repositories import messages, tickets
from tests.handlers.conftest import CLOSED, OPEN, mail
from tests.support.desk_zone import DESK_ZONE


def only_ticket(desk) -> Ticket:
    with desk.sessions() as session:
        return session.query(Ticket).one()


def events_of(desk, ticket) -> list[str]:
    with desk.sessions() as session:
        return [e.kind for e in session.query(TicketEvent).filter_by(ticket_id=ticket.id).order_by(TicketEvent.id)]


def open_ticket_for(desk, status="waiting_on_customer", participants=("asa@kund.se",)) -> Ticket:
    """An existing ticket with one mail of ours on it, as after an agent's reply."""
    with desk.sessions() as session:
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Exporten fungerar inte", origin="portal", created_at=OPEN,
                                       participants=participants, status=status)
        messages.append_message(session, ticket, direction="outbound", channel="email", message_id="<sb-1@example.com>",
                                created_at=OPEN)
        session.commit()
        return ticket


# -- new cases and unknown senders ------------------------------------------------------------

def test_new_case_from_a_contact_gets_the_portal_answer_and_staff_an_inquiry(desk):
    outcome = desk.receive(mail())
    assert outcome.disposition == "processed"
    [row] = desk.mails()
    assert row.payload["template"] == "portal_redirect" and row.payload["to"] == ["asa@kund.se"]
    assert row.payload["context"]["next_open_at"] is None and row.payload["lang"] == "sv"
    assert row.payload["context"]["contact_name"] == "Åsa"
    with desk.sessions() as session:
        inquiry = session.query(Inquiry).one()
        assert (inquiry.kind, inquiry.status, inquiry.sender_email) == ("new_case", "waiting", "asa@kund.se")
        assert session.query(Ticket).count() == 0


def test_new_case_out_of_hours_is_one_mail_naming_the_next_opening(desk):
    desk.receive(mail(sender="John Smith <john@kund.se>"), at=CLOSED)
    [row] = desk.mails()
    assert row.payload["template"] == "portal_redirect" and row.payload["lang"] == "en"
    assert row.payload["context"]["next_open_at"] == "Monday 16 March at 09:00"


def test_unknown_sender_is_answered_once_per_window_but_always_recorded(desk):
    desk.receive(mail(sender="Okänd <someone@elsewhere.example>"))
    desk.receive(mail(sender="Okänd <someone@elsewhere.example>"), at=OPEN + timedelta(hours=1))
    desk.receive(mail(sender="Okänd <someone@elsewhere.example>"), at=OPEN + timedelta(hours=5))
    assert [row.payload["template"] for row in desk.mails()] == ["unknown_sender", "unknown_sender"]
    with desk.sessions() as session:
        assert [i.kind for i in session.query(Inquiry)] == ["unknown_sender"] * 3


def test_unauthorised_contact_is_treated_as_unknown(desk):
    desk.receive(mail(sender="former@kund.se"))
    assert desk.mails()[0].payload["template"] == "unknown_sender"


def test_policy_ticket_opens_a_ticket_with_receipt_and_sla_clock(make_desk):
    desk = make_desk(portal={"new_case_policy": "ticket"})
    desk.receive(mail(subject="SV: Exporten fungerar inte"))
    ticket = only_ticket(desk)
    assert ticket.subject == "Exporten fungerar inte" and ticket.origin == "email" and ticket.status == "new"
    # 10:15 + 120 business minutes, with lunch 12–13 closed: 13:15 Stockholm time.
    assert ticket.first_response_due_at.isoformat() == "2026-03-10T12:15:00+00:00"
    [row] = desk.mails()
    assert row.payload["template"] == "case_received" and row.payload["reference"] == ticket.reference
    assert events_of(desk, ticket) == ["created"]


def test_policy_ticket_out_of_hours_gets_the_out_of_hours_answer_only(make_desk):
    desk = make_desk(portal={"new_case_policy": "ticket"})
    desk.receive(mail(), at=CLOSED)
    [row] = desk.mails()
    assert row.payload["template"] == "out_of_hours"
    assert row.payload["context"]["next_open_at"] == "måndag 16 mars kl. 09:00"
    ticket = only_ticket(desk)
    # The clock only runs while the desk is open: due two business hours after Monday 09:00.
    assert ticket.first_response_due_at.isoformat() == "2026-03-16T10:00:00+00:00"


# -- replies ------------------------------------------------------------------------------

def test_reply_by_token_is_appended_and_reopens_work_without_autoreply_in_hours(desk):
    ticket = open_ticket_for(desk)
    outcome = desk.receive(mail(to=f"support+{ticket.reply_token}@example.com", subject="Re: något helt annat",
                                body="Här är loggen.\r\n\r\nDen 10 mars 2026 skrev Support <support@example.com>:\r\n> Skicka loggen"))
    assert outcome.disposition == "processed"
    ticket = only_ticket(desk)
    assert ticket.status == "open" and ticket.revision == 2
    assert events_of(desk, ticket) == ["customer_replied", "status_changed"]
    with desk.sessions() as session:
        stored = session.query(TicketMessage).filter_by(direction="inbound").one()
        assert stored.stripped_text == "Här är loggen." and "Skicka loggen" in stored.text
    assert desk.mails() == []


@pytest.mark.parametrize("how", ["in-reply-to", "subject"])
def test_reply_matched_by_our_message_id_or_by_reference_from_a_participant(desk, how):
    ticket = open_ticket_for(desk)
    raw = mail(in_reply_to="<sb-1@example.com>") if how == "in-reply-to" else \
        mail(subject=f"SV: [{ticket.reference}] Exporten fungerar inte")
    desk.receive(raw)
    with desk.sessions() as session:
        assert session.query(TicketMessage).filter_by(direction="inbound", ticket_id=ticket.id).count() == 1
        assert session.query(Inquiry).count() == 0


def test_reply_out_of_hours_gets_one_answer_per_window(desk):
    ticket = open_ticket_for(desk, status="open")
    desk.receive(mail(in_reply_to="<sb-1@example.com>"), at=CLOSED)
    desk.receive(mail(in_reply_to="<sb-1@example.com>"), at=CLOSED + timedelta(minutes=30))
    [row] = desk.mails()
    assert row.payload["template"] == "out_of_hours" and row.payload["reference"] == ticket.reference
    assert row.payload["context"]["next_open_at"] == "måndag 16 mars kl. 09:00"
    assert f"support+{ticket.reply_token}" not in str(row.payload["to"])  # the reply token goes in Reply-To
    assert row.payload["reply_token"] == ticket.reply_token


@pytest.mark.parametrize(
    ("raw_for", "reason"),
    [
        (lambda t: mail(sender="mallory@evil.example", subject=f"Re: [{t.reference}] Exporten"), "not a participant"),
        (lambda t: mail(sender="mallory@evil.example", to=f"support+{t.reply_token}@example.com"), "not a participant"),
        (lambda t: mail(in_reply_to="<sb-1@example.com>",
                        headers="Authentication-Results: mx.example.com; spf=fail; dmarc=fail header.from=kund.se\r\n"),
         "failed DMARC"),
    ],
    ids=["foreign-subject", "foreign-token", "dmarc-fail"],
)
def test_forged_or_foreign_replies_are_quarantined_not_appended(desk, raw_for, reason):
    ticket = open_ticket_for(desk)
    outcome = desk.receive(raw_for(ticket))
    assert outcome.disposition == "quarantined" and reason in outcome.reason
    with desk.sessions() as session:
        assert session.query(TicketMessage).filter_by(direction="inbound").count() == 0
    assert desk.mails() == []


# -- automatic mail ---------------------------------------------------------------------------

def test_out_of_office_about_a_ticket_is_recorded_never_answered_never_reopens(desk):
    ticket = open_ticket_for(desk, status="closed")
    outcome = desk.receive(mail(subject="Automatiskt svar: Exporten", in_reply_to="<sb-1@example.com>",
                                headers="Auto-Submitted: auto-replied\r\n"), at=CLOSED)
    assert outcome.disposition == "discarded" and "recorded on" in outcome.reason
    assert only_ticket(desk).status == "closed"
    assert events_of(desk, ticket) == ["automatic_mail"]
    assert desk.mails() == []


@pytest.mark.parametrize(
    "headers",
    ["Precedence: bulk\r\n", "List-Id: <users.lists.example>\r\n", "Auto-Submitted: auto-generated\r\n",
     "X-Auto-Response-Suppress: All\r\n", "Return-Path: <>\r\n", "X-Supportbot-Id: auto:x:portal_redirect\r\n"],
)
def test_automatic_mail_without_a_ticket_is_dropped_silently(desk, headers):
    outcome = desk.receive(mail(headers=headers), at=CLOSED)
    assert outcome.disposition == "discarded"
    assert desk.mails() == []
    with desk.sessions() as session:
        assert session.query(Inquiry).count() == 0


def test_mailer_daemon_bounce_of_our_mail_goes_to_its_ticket_and_flags_the_address(desk):
    ticket = open_ticket_for(desk)
    boundary = "b1"
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.kund.se>\r\nTo: support@example.com\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.kund.se>\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.kund.se\r\n\r\n"
        "Final-Recipient: rfc822; asa@kund.se\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@example.com\r\n"
        "Message-ID: <sb-1@example.com>\r\nSubject: [TC] update\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    outcome = desk.receive(bounce)
    assert outcome.disposition == "discarded" and "bounce" in outcome.reason
    assert events_of(desk, ticket) == ["bounce"]
    with desk.sessions() as session:
        assert session.query(Contact).filter_by(email="asa@kund.se").one().bounced_at is not None
        event = session.query(TicketEvent).one()
        assert event.data == {"recipient": "asa@kund.se", "status": "5.1.1", "action": "failed",
                              "message_id": "<sb-1@example.com>"}


def test_the_same_mail_twice_is_handled_once(desk):
    raw = mail(message_id="<same@kund.se>")
    desk.receive(raw)
    assert desk.receive(raw).disposition == "discarded"
    assert len(desk.mails()) == 1


# -- portal notifications, attachments, dry run -------------------------------------------

def test_portal_notification_mail_opens_the_ticket_once(make_desk):
    desk = make_desk(portal={"notification_sender": "noreply@portal.example.com"})
    raw = mail(sender="Portal <noreply@portal.example.com>", subject="[Portal] Nytt ärende P-1234: Kan inte logga in",
               headers="Reply-To: Åsa <asa@kund.se>\r\n", body="Beskrivning: inloggningen misslyckas.")
    desk.receive(raw)
    again = desk.receive(raw.replace(b"Message-ID: <", b"Message-ID: <again-"))
    ticket = only_ticket(desk)
    assert (ticket.origin, ticket.portal_case_id, ticket.subject) == ("portal", "P-1234", "Kan inte logga in")
    assert again.disposition == "discarded" and "P-1234" in again.reason
    assert [row.payload["template"] for row in desk.mails()] == ["case_received"]
    assert desk.mails()[0].payload["to"] == ["asa@kund.se"]


def test_attachments_are_stored_by_hash_and_names_stay_data(desk, tmp_path):
    ticket = open_ticket_for(desk)
    raw = (
        "From: asa@kund.se\r\nTo: support@example.com\r\nSubject: logg\r\nMessage-ID: <att@kund.se>\r\n"
        "In-Reply-To: <sb-1@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        "--x\r\nContent-Type: text/plain\r\n\r\nLoggen bifogad.\r\n"
        "--x\r\nContent-Type: text/plain; name=\"../../etc/passwd\"\r\n"
        "Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n\r\nroot:x:0:0\r\n--x--\r\n"
    ).encode()
    desk.receive(raw)
    with desk.sessions() as session:
        [attachment] = session.query(Attachment).all()
        assert attachment.filename == "../../etc/passwd" and attachment.stored
    stored = desk.services["attachments"].path(attachment.sha256)
    # The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1).
    assert stored.read_bytes() == b"root:x:0:0" and stored.is_relative_to(tmp_path / "attachments")
    assert not (tmp_path / "etc").exists()
    with desk.sessions() as session:
        assert session.get(Attachment, attachment.id).message.ticket_id == ticket.id


def test_dry_run_decides_but_writes_nothing(desk):
    outcome = desk.receive(mail(), dry_run=True)
    assert "send portal_redirect (sv) to asa@kund.se" in outcome.decisions
    assert desk.mails() == []
    with desk.sessions() as session:
        assert session.query(Inquiry).count() == 0 and session.query(RawMessage).count() == 0
