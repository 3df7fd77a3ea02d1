"""Appending messages is idempotent on Message-ID and Slack key."""

from storage.models import TicketMessage
from storage.repositories import messages, tickets
from tests.support.desk_zone import DESK_ZONE


def test_second_append_with_same_message_id_returns_existing(session, now):
    ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Fel i rapport", origin="email", created_at=now)
    first, created = messages.append_message(
        session, ticket, direction="inbound", channel="email", message_id="<1@kund.se>", text="Första", created_at=now
    )
    again, created_again = messages.append_message(
        session, ticket, direction="inbound", channel="email", message_id="<1@kund.se>", text="Andra", created_at=now
    )
    session.commit()
    assert created and not created_again
    assert again.id == first.id and again.text == "Första"
    assert session.query(TicketMessage).count() == 1


def test_slack_key_is_an_idempotency_key_too(session, now):
    ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Chatt", origin="slack", created_at=now)
    for _ in range(3):
        messages.append_message(
            session, ticket, direction="inbound", channel="slack", slack_key="C1:1700000000.0001", text="hej",
            created_at=now,
        )
    session.commit()
    assert session.query(TicketMessage).count() == 1


def test_text_survives_verbatim(session, now):
    body = "Sökväg C:\\Program Files\\Kund\\app.exe – åäö ÅÄÖ €\n\nNytt stycke"
    ticket = tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="Sökväg", origin="email", created_at=now)
    messages.append_message(
        session, ticket, direction="inbound", channel="email", message_id="<p@k>", text=body, created_at=now
    )
    session.commit()
    session.expire_all()
    assert session.query(TicketMessage).one().text == body
