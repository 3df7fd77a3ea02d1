"""Tickets: references, reply tokens, participants, lookups."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from storage.models import Contact, Organisation, TicketEvent
from storage.repositories import events, messages, tickets
from tests.support.desk_zone import DESK_ZONE


def _ticket(session, now, **fields):
    return tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Kan inte logga in", origin="email", created_at=now, **fields)


def test_references_count_up_per_desk_year(session, now):
    first = _ticket(session, now)
    second = _ticket(session, now)
    # 23:30 UTC on New Year's Eve is already 00:30 on 1 January in Stockholm.
    new_year = _ticket(session, datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))
    session.commit()
    assert (first.reference, second.reference) == ("TC-2026-00001", "TC-2026-00002")
    assert new_year.reference == "TC-2027-00001"


def test_reply_tokens_are_unique_and_mail_safe(session, now):
    tokens = {_ticket(session, now).reply_token for _ in range(20)}
    assert len(tokens) == 20
    assert all(token.isalnum() and token.islower() and len(token) == 24 for token in tokens)


def test_find_by_reference_token_and_message_id(session, now):
    ticket = _ticket(session, now)
    messages.append_message(
        session, ticket, direction="inbound", channel="email", message_id="<abc@kund.se>", text="Hej", created_at=now
    )
    session.commit()
    assert tickets.find_by_reference(session, ticket.reference.lower()).id == ticket.id
    assert tickets.find_by_reply_token(session, ticket.reply_token.upper()).id == ticket.id
    assert tickets.find_by_message_id(session, "<abc@kund.se>").id == ticket.id
    assert tickets.find_by_reference(session, "TC-1999-00001") is None
    assert tickets.find_by_message_id(session, "<nope@x>") is None


def test_participants_are_case_insensitive(session, now):
    ticket = _ticket(session, now, participants=("Anna.Admin@Kund.se",))
    tickets.add_participant(session, ticket, "anna.admin@kund.se", now)  # no duplicate
    session.commit()
    assert tickets.is_participant(session, ticket, "ANNA.ADMIN@kund.se")
    assert not tickets.is_participant(session, ticket, "mallory@evil.example")


def test_ticket_links_to_contact_and_logs_events(session, now):
    org = Organisation(number="1001", name="Kommunen AB", created_at=now)
    contact = Contact(organisation=org, email="it@kommunen.se", name="Åsa", language="sv", created_at=now)
    session.add_all([org, contact])
    session.flush()
    ticket = _ticket(session, now, organisation_id=org.id, contact_id=contact.id, status="open", priority="high")
    events.record_event(session, ticket, "claimed", now + timedelta(minutes=5), actor="agent", note="ok")
    session.commit()
    session.expire_all()
    assert [(e.kind, e.data) for e in session.query(TicketEvent).filter_by(ticket_id=ticket.id)] == [
        ("claimed", {"note": "ok"})
    ]


def test_invalid_status_is_refused_by_the_database(session, now):
    with pytest.raises(IntegrityError, match="status"):
        _ticket(session, now, status="pending-forever")


def test_times_come_back_aware_utc(session, now):
    ticket = _ticket(session, now, first_response_due_at=now + timedelta(hours=2))
    session.commit()
    session.expire_all()
    assert ticket.first_response_due_at == now + timedelta(hours=2)
    assert ticket.first_response_due_at.tzinfo is not None


def test_naive_time_is_rejected(session):
    with pytest.raises(Exception, match="naive"):
        _ticket(session, datetime(2026, 3, 10, 10, 0))


def test_find_by_message_id_takes_the_first_id_found_in_order(session, now):
    older, newer = _ticket(session, now), _ticket(session, now)
    for ticket, message_id in ((older, "<old@kund.se>"), (newer, "<new@kund.se>")):
        messages.append_message(session, ticket, direction="inbound", channel="email", message_id=message_id,
                                text="Hej", created_at=now)
    session.commit()
    assert tickets.find_by_message_id(session, "<nope@x>", "<new@kund.se>", "<old@kund.se>").id == newer.id
    assert tickets.find_by_message_id(session, "<old@kund.se>", "<new@kund.se>").id == older.id
    assert tickets.find_by_message_id(session) is None


def test_a_new_ticket_is_complete_without_a_flush_or_a_read_back(session, now):
    from sqlalchemy import event, inspect

    from storage.models import Ticket
    from storage.repositories.upsert import insert_persistent

    statements = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2]))
    ticket = _ticket(session, now)
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in statements if s.startswith("INSERT INTO tickets")]) == 1
    state = inspect(ticket)
    assert state.persistent and not state.expired_attributes and not session.new and not session.dirty
    assert (ticket.status, ticket.line, ticket.priority, ticket.revision, ticket.language) == ("new", 1, "normal", 1, "sv")
    session.commit()
    session.expire_all()
    stored = session.get(Ticket, ticket.id)
    assert (stored.reference, stored.status, stored.created_at, stored.closed_at) == (ticket.reference, "new", now, None)
    with pytest.raises(IntegrityError):
        insert_persistent(session, Ticket, {"reference": ticket.reference, "subject": "x", "origin": "email",
                                            "reply_token": "t" * 24, "created_at": now, "updated_at": now})
