"""Context at a glance: the card shows the organisation's other open cases and the services ordered; the thread
says when the contact is no longer authorised or our mail to them bounced."""

from __future__ import annotations

from storage.models import Contact, Ticket
from storage.repositories import messages
from tests.handlers.conftest import mail
from tests.slack.files_fixtures import STAFF, deliver, files_desk, make_desk, standin  # noqa: F401

BOUNCE = (
    "From: Mail Delivery System <MAILER-DAEMON@mx.kund.se>\r\nTo: support@example.com\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.kund.se>\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
    "--b1\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
    "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.kund.se\r\n\r\n"
    "Final-Recipient: rfc822; asa@kund.se\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
    "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@example.com\r\n"
    "Message-ID: <sb-1@example.com>\r\nSubject: [TC] update\r\n\r\n--b1--\r\n"
).encode()


def cards(standin):
    return [m for m in standin.messages(STAFF) if "thread_ts" not in m]


def glance_of(card) -> str:
    return next((b["elements"][0]["text"] for b in card["blocks"] if b["type"] == "context"
                 and b["elements"][0]["text"].startswith(("🗂", "🧩"))), "")


def test_the_card_shows_the_organisations_other_open_cases_and_the_services(files_desk, standin):
    desk = files_desk()
    with desk.sessions() as session:
        session.query(Contact).filter_by(email="john@kund.se").one().services = ["Backup", "SMS <tjänst>"]
        session.commit()
    for n in range(3):
        desk.receive(mail(subject=f"Ärende {n}", message_id=f"<case-{n}@kund.se>"))
        deliver(desk)
    desk.receive(mail(sender="John Smith <john@kund.se>", subject="Fjärde"))
    deliver(desk)
    with desk.sessions() as session:
        tickets = {t.reference: t for t in session.query(Ticket)}
    newest = cards(standin)[-1]
    line = glance_of(newest)
    refs = sorted(tickets)[:3]
    assert line.startswith("🗂 3 other open cases: ")
    assert f"|{refs[2]}>" in line and f"|{refs[1]}>" in line and f"|{refs[0]}>" not in line and line.count(", …") == 1
    assert f"<https://slack.com/archives/{STAFF}/p" in line
    assert line.endswith("🧩 Services: Backup, SMS &lt;tjänst&gt;")
    assert glance_of(cards(standin)[0]) == ""  # the first case had nothing else open when it was posted


def test_a_reply_from_a_contact_no_longer_authorised_is_flagged_in_the_thread(files_desk, standin):
    desk = files_desk()
    desk.receive(mail())
    deliver(desk)
    with desk.sessions() as session:
        ticket = session.query(Ticket).one()
        session.query(Contact).filter_by(email="asa@kund.se").one().authorised = False  # the directory changed
        session.commit()
    desk.receive(mail(subject=f"SV: [{ticket.reference}] {ticket.subject}", body="Det fungerar fortfarande inte."))
    deliver(desk)
    thread = [m["text"] for m in standin.messages(STAFF) if m.get("thread_ts") == ticket.slack_card_ts]
    assert "fortfarande" in " ".join(thread)  # the reply is on the ticket ...
    assert [t for t in thread if "no longer authorised" in t] == [
        "⚠️ asa@kund.se is no longer authorised in the customer directory"]  # ... and flagged once


def test_a_bounce_of_our_mail_is_said_in_the_thread(files_desk, standin):
    desk = files_desk()
    desk.receive(mail())
    with desk.sessions() as session:
        ticket = session.query(Ticket).one()
        messages.append_message(session, ticket, direction="outbound", channel="email",
                                message_id="<sb-1@example.com>", created_at=ticket.created_at)
        session.commit()
    deliver(desk)
    desk.receive(BOUNCE)
    deliver(desk)
    (line,) = [m["text"] for m in standin.messages(STAFF) if "bounced" in m.get("text", "")]
    assert line.startswith("⚠️ mail to asa@kund.se bounced (5.1.1)")
