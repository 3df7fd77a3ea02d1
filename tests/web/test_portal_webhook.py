"""POST /portal/cases on a real local server: signature, field errors, idempotency, what a new case sets off."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest

from storage.models import Attachment, Ticket, TicketEvent, TicketMessage
from tests.handlers.conftest import mail
from tests.support.lifecycle_fixtures import body_of, mails, outbox, post_signed, serve, signed_headers


def case(**changes) -> dict:
    payload = {
        "organisation": 1001, "contact_email": "Asa@Kund.se", "subject": "Installera nya versionen på servern",
        "description": "Hej! Vi behöver hjälp att installera version 5.2.", "category": "Fråga", "case_id": "P-1001",
        "attachments": [
            {"name": "logg.txt", "content_base64": base64.b64encode(b"rad 1\nrad 2\n").decode()},
            {"name": "skärmbild.png", "url": "https://portal.example.com/files/42"},
        ],
    }
    payload.update(changes)
    return payload


def post(desk, payload, *, headers=None, raw: bytes | None = None):
    """POST once; return (status, JSON body)."""
    return post_signed(desk, "/portal/cases", payload, headers=headers, raw=raw)


def tickets_in(desk) -> list[Ticket]:
    with desk.sessions() as session:
        return list(session.query(Ticket).order_by(Ticket.id))


def test_a_signed_case_opens_the_ticket_with_message_files_receipt_card_and_clock(lifecycle_desk):
    desk = lifecycle_desk(slack={"enabled": True})
    status, answer = post(desk, case())
    assert status == 201 and answer["created"] is True
    [ticket] = tickets_in(desk)
    assert answer["reference"] == ticket.reference
    assert (ticket.origin, ticket.portal_case_id, ticket.status, ticket.language) == ("portal", "P-1001", "new", "sv")
    assert (ticket.suggested_line, ticket.suggested_category) == (2, None)  # "installera" → 2nd line
    assert ticket.first_response_due_at is not None  # the SLA clock runs
    with desk.sessions() as session:
        [message] = session.query(TicketMessage).filter_by(direction="inbound").all()
        assert message.channel == "portal" and message.text.startswith("Hej! Vi behöver")
        [attachment] = session.query(Attachment).all()
        assert attachment.filename == "logg.txt" and attachment.stored
        assert attachment.sha256 == hashlib.sha256(b"rad 1\nrad 2\n").hexdigest()
        event = session.query(TicketEvent).filter_by(kind="portal_case").one()
        # The link is recorded as data and never fetched (no network from the desk).
        assert event.data["links"] == [{"name": "skärmbild.png", "url": "https://portal.example.com/files/42"}]
    assert desk.services["attachments"].path(attachment.sha256).read_bytes() == b"rad 1\nrad 2\n"
    [receipt] = mails(desk)
    assert receipt.payload["template"] == "case_received" and receipt.payload["to"] == ["asa@kund.se"]
    assert receipt.payload["reference"] == ticket.reference
    kinds = [row.kind for row in outbox(desk)]
    assert "slack.card" in kinds and "slack.timeline" in kinds
    [timeline] = outbox(desk, "slack.timeline")
    assert timeline.payload["kind"] == "portal" and "not fetched" in timeline.payload["attachments"][1]


def test_the_same_case_delivered_again_answers_200_with_the_same_reference_and_changes_nothing(desk):
    first_status, first = post(desk, case())
    rows_before = len(outbox(desk))
    desk.clock.at += timedelta(minutes=2)
    again_status, again = post(desk, case(subject="Changed on the portal's retry"))
    assert (first_status, again_status) == (201, 200)
    assert again == {"reference": first["reference"], "created": False}
    assert len(tickets_in(desk)) == 1 and len(outbox(desk)) == rows_before


def test_a_replayed_request_is_the_same_case_not_a_new_ticket(desk):
    body = body_of(case())
    headers = signed_headers(body, desk.clock())
    assert post(desk, None, raw=body, headers=headers)[0] == 201
    status, answer = post(desk, None, raw=body, headers=headers)  # byte-for-byte replay within the window
    assert status == 200 and answer["created"] is False and len(tickets_in(desk)) == 1


def test_a_case_whose_notification_mail_came_first_is_not_opened_twice(lifecycle_desk):
    desk = lifecycle_desk(portal={"notification_sender": "noreply@portal.example.com"})
    desk.receive(mail(sender="Portal <noreply@portal.example.com>", subject="[Portal] Nytt ärende P-1001: Installera",
                      headers="Reply-To: Åsa <asa@kund.se>\r\n", body="Beskrivning: installera 5.2"))
    [ticket] = tickets_in(desk)
    assert ticket.suggested_line == 2  # the mail path shares the routing suggestion
    status, answer = post(desk, case())
    assert status == 200 and answer["reference"] == ticket.reference and len(tickets_in(desk)) == 1


def _unsigned(body, headers, now):
    return body, {k: v for k, v in headers.items() if not k.startswith("X-Portal")}


def _changed_body(body, headers, now):
    return body.replace(b"5.2", b"6.0"), headers


@pytest.mark.parametrize(
    "tamper",
    [
        _unsigned,
        lambda body, headers, now: (body, headers | {"X-Portal-Signature": "v1=" + "0" * 64}),
        lambda body, headers, now: (body, headers | {"X-Portal-Signature": headers["X-Portal-Signature"][3:]}),
        _changed_body,
        lambda body, headers, now: (body, signed_headers(body, now, secret="another-secret")),
        lambda body, headers, now: (body, headers | {"X-Portal-Timestamp": "not-a-number"}),
    ],
    ids=["unsigned", "zero-signature", "no-scheme", "body-changed", "wrong-secret", "bad-timestamp"],
)
def test_requests_without_the_portals_signature_get_401_and_change_nothing(desk, tamper):
    body = body_of(case())
    body, headers = tamper(body, signed_headers(body, desk.clock()), desk.clock())
    status, answer = post(desk, None, raw=body, headers=headers)
    assert status == 401 and answer == {"error": "invalid signature"}
    assert tickets_in(desk) == [] and outbox(desk) == []


@pytest.mark.parametrize(("age", "accepted"), [(timedelta(minutes=4, seconds=59), True),
                                               (timedelta(minutes=5, seconds=1), False),
                                               (-timedelta(minutes=6), False)])
def test_a_signature_older_than_five_minutes_is_refused(desk, age, accepted):
    body = body_of(case())
    status, _ = post(desk, None, raw=body, headers=signed_headers(body, desk.clock() - age))
    assert status == (201 if accepted else 401)


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"contact_email": "not an address", "subject": ""},
         {"contact_email": "not an e-mail address", "subject": "String should have at least 1 character"}),
        ({"case_id": "P 1/2"}, {"case_id": "String should match pattern '^[A-Za-z0-9_-]{1,64}$'"}),
        ({"attachments": [{"name": "a.txt"}]}, {"attachments.0": "give exactly one of url and content_base64"}),
        ({"attachments": [{"name": "a.txt", "content_base64": "***"}]},
         {"attachments.0": "content_base64 is not valid base64"}),
        ({"attachments": [{"name": "a", "url": "file:///etc/passwd"}]}, {"attachments.0.url": "must be an http(s) URL"}),
        ({"description": None}, {"description": "Input should be a valid string"}),
    ],
)
def test_invalid_bodies_get_422_with_field_errors(desk, changes, errors):
    status, answer = post(desk, case(**changes))
    assert status == 422 and answer == {"errors": errors}
    assert tickets_in(desk) == []


def test_missing_fields_and_non_json_bodies_get_422(desk):
    status, answer = post(desk, {"case_id": "P-1"})
    assert status == 422
    assert set(answer["errors"]) == {"organisation", "contact_email", "subject", "description"}
    assert post(desk, None, raw=b"{not json")[1] == {"errors": {"body": "not valid JSON"}}
    assert post(desk, None, raw=b"[1, 2]")[1] == {"errors": {"body": "must be a JSON object"}}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"organisation": "9999"}, {"organisation": "unknown organisation number"}),
        ({"contact_email": "someone@kund.se"}, {"contact_email": "not a registered, authorised contact of this organisation"}),
        ({"contact_email": "former@kund.se"}, {"contact_email": "not a registered, authorised contact of this organisation"}),
    ],
    ids=["unknown-organisation", "unknown-contact", "unauthorised-contact"],
)
def test_only_authorised_contacts_of_the_organisation_may_register_cases(desk, changes, errors):
    status, answer = post(desk, case(**changes))
    assert status == 422 and answer == {"errors": errors}
    assert tickets_in(desk) == [] and outbox(desk) == []


def test_out_of_hours_the_receipt_names_the_next_opening(desk):
    from tests.handlers.conftest import CLOSED

    desk.clock.at = CLOSED.astimezone(desk.clock.at.tzinfo)
    assert post(desk, case())[0] == 201
    [receipt] = mails(desk)
    assert receipt.payload["template"] == "out_of_hours"
    assert receipt.payload["context"]["next_open_at"] == "måndag 16 mars kl. 09:00"


def test_without_a_webhook_secret_the_endpoint_is_closed(lifecycle_desk):
    desk = lifecycle_desk(portal={"webhook_secret": ""})
    body = body_of(case())
    assert post(desk, None, raw=body, headers=signed_headers(body, desk.clock(), secret=""))[0] == 503


def test_a_body_over_the_limit_gets_413(lifecycle_desk):
    desk = lifecycle_desk(portal={"webhook_max_bytes": 2048})
    payload = case(description="x" * 4096)
    body = body_of(payload)
    result = {}

    async def scenario(client):
        response = await client.post("/portal/cases", data=body, headers=signed_headers(body, desk.clock()))
        result["status"] = response.status
    serve(desk, scenario)
    assert result["status"] == 413 and tickets_in(desk) == []
