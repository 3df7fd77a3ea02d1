"""One sender per mail (issue 16, point 2): a From that names no one is quarantined and never touches a ticket.

The mails are the corpus rows with a ``sender_problem`` (tests/data/mail): replies to
John's ticket, by our Message-ID and the reference, asking for closure.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from storage.models import Contact, Inquiry, OutboxRow, Ticket, TicketEvent, TicketMessage
from storage.repositories import messages, tickets
from tests.handlers.conftest import OPEN, mail
from tests.support.desk_zone import DESK_ZONE

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"
CASES = tomllib.loads((DATA / "expected.toml").read_text(encoding="utf-8"))["mail"]
NAMES_NO_ONE = [pytest.param(case, id=case["file"].removesuffix(".eml")) for case in CASES if "sender_problem" in case]
JOHN = "john@customer.example"


def johns_ticket(desk) -> Ticket:
    """John's open ticket with our mail <sb-7a1c0de5@example.com> on it, as the corpus replies expect."""
    with desk.sessions() as session:
        contact = Contact(organisation_id=session.query(Contact).first().organisation_id, email=JOHN,
                          name="John Smith", language="en", created_at=OPEN)
        session.add(contact)
        session.flush()
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Fakturan visar fel belopp", origin="portal", created_at=OPEN,
                                       participants=(JOHN,), status="open", contact_id=contact.id)
        messages.append_message(session, ticket, direction="outbound", channel="email",
                                message_id="<sb-7a1c0de5@example.com>", created_at=OPEN)
        session.commit()
        return ticket


def untouched(desk, ticket: Ticket) -> bool:
    with desk.sessions() as session:
        now = session.get(Ticket, ticket.id)
        return (now.status, now.revision, now.closure_requested_at) == ("open", ticket.revision, None) \
            and session.query(TicketMessage).filter_by(direction="inbound").count() == 0 \
            and session.query(TicketEvent).filter_by(ticket_id=ticket.id).count() == 0


def test_the_corpus_has_the_hostile_senders():
    assert len(NAMES_NO_ONE) >= 9


@pytest.mark.parametrize("case", NAMES_NO_ONE)
def test_a_from_that_names_no_one_is_quarantined_naming_the_header(desk, case):
    ticket = johns_ticket(desk)
    outcome = desk.receive((DATA / case["file"]).read_bytes())
    assert (outcome.disposition, outcome.reason) == ("quarantined", f"no sender credited: {case['sender_problem']}")
    assert untouched(desk, ticket)
    with desk.sessions() as session:
        assert session.query(OutboxRow).filter_by(kind="email").count() == 0
        assert session.query(Inquiry).count() == 0


@pytest.mark.parametrize("file", ["from_own_address_as_name.eml", "forged_reply_to_two_mailboxes.eml"])
def test_one_good_mailbox_is_still_johns_reply(desk, file):
    ticket = johns_ticket(desk)
    outcome = desk.receive((DATA / file).read_bytes())
    assert outcome.disposition == "processed" and f"matched {ticket.reference} by message-id" in outcome.decisions
    with desk.sessions() as session:
        [reply] = session.query(TicketMessage).filter_by(direction="inbound").all()
        assert reply.author_email == JOHN


def test_portal_notification_with_two_reply_to_mailboxes_opens_nothing(make_desk):
    desk = make_desk(portal={"notification_sender": "noreply@portal.example.com"})
    raw = mail(sender="Portal <noreply@portal.example.com>", subject="[Portal] Nytt ärende P-1234: Kan inte logga in",
               headers="Reply-To: asa@kund.se, mallory@evil.example\r\n")
    outcome = desk.receive(raw)
    assert (outcome.disposition, outcome.reason) == \
        ("quarantined", "portal notification names no contact: Reply-To: 2 mailboxes")
    assert desk.mails() == []


def test_a_second_reply_to_field_counts_as_a_second_mailbox(make_desk):
    desk = make_desk(portal={"notification_sender": "noreply@portal.example.com"})
    raw = mail(sender="Portal <noreply@portal.example.com>", subject="[Portal] Nytt ärende P-1235: Export",
               headers="Reply-To: Åsa <asa@kund.se>\r\nReply-To: mallory@evil.example\r\n")
    assert desk.receive(raw).reason == "portal notification names no contact: Reply-To: 2 mailboxes"


def test_no_automatic_answer_to_a_recipient_that_is_not_one_mailbox(desk):
    # A participant row can hold anything (an old import); the out-of-hours answer is not queued to it.
    with desk.sessions() as session:
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Export", origin="portal", created_at=OPEN,
                                       participants=("asa@kund.se",), status="open")
        session.commit()
    from bot.desk.autoreply import answer
    from handlers.base import PipelineContext
    from bot.domain.mail.inbound import InboundMessage

    with desk.sessions() as session:
        ctx = PipelineContext(session, desk.settings, OPEN, services=desk.services,
                              message=InboundMessage(channel="email", message_id="<m@kund.se>", sender_email="evil"))
        assert answer(ctx, "out_of_hours", to="evil", lang="sv", context={}, ticket=ticket) is False
        assert ctx.decisions == ["no out_of_hours: the recipient is not one well-formed mailbox"]
        session.commit()
    assert desk.mails() == []


@pytest.mark.parametrize("participant", ["evil", "john@customer.example <attacker@evil.example>", "a@b@evil.example"])
def test_no_mail_of_ours_is_queued_to_a_participant_that_is_not_one_mailbox(desk, participant):
    # Survey, closure and staff mails pick the contact or the first participant; a bad row is refused there.
    from bot.desk.survey import invite

    with desk.sessions() as session:
        ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Export", origin="portal", created_at=OPEN,
                                       participants=(participant,), status="closed")
        assert invite(session, desk.settings, ticket, OPEN) is False
        session.commit()
        assert [(e.kind, e.data["template"]) for e in session.query(TicketEvent).filter_by(ticket_id=ticket.id)] == \
            [("mail_refused", "survey_invitation")]
    assert desk.mails() == []
