"""POST /portal/directory on a real local server: signed events keep the directory current, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.models import Contact, DirectoryEvent, Organisation
from tests.handlers.conftest import mail
from tests.support.lifecycle_fixtures import body_of, post_signed, signed_headers

AT = "2026-03-10T09:00:00Z"


def event(kind: str, event_id: str = "evt-1", occurred_at: str = AT, **data) -> dict:
    return {"id": event_id, "type": kind, "occurred_at": occurred_at, "data": data}


def contact_event(event_id: str = "evt-c1", occurred_at: str = AT, **changes) -> dict:
    data = {"email": "Kim@Kund.se", "customer_number": 1001, "name": "Kim Berg", "role": "IT-ansvarig",
            "language": "en", "phone": "+46 8 123 45 67", "slack_user_id": "U0KIMBERG1", "services": ["Lön", "Ekonomi"]}
    data.update(changes)
    return event("contact.upserted", event_id, occurred_at, **data)


def post(desk, payload, *, headers=None, raw: bytes | None = None):
    """POST once; return (status, JSON body)."""
    return post_signed(desk, "/portal/directory", payload, headers=headers, raw=raw)


def contact(desk, email: str) -> Contact | None:
    with desk.sessions() as session:
        found = session.query(Contact).filter_by(email=email).one_or_none()
        if found is not None:
            session.expunge(found)
        return found


def snapshot(desk) -> list[tuple]:
    with desk.sessions() as session:
        return [(c.email, c.organisation_id, c.name, c.role, c.language, c.authorised, c.phone, tuple(c.services),
                 c.slack_user_id) for c in session.query(Contact).order_by(Contact.id)] + \
            [(o.number, o.name) for o in session.query(Organisation).order_by(Organisation.id)]


def test_events_create_an_organisation_and_a_contact_who_then_gets_the_portal_answer(desk):
    status, answer = post(desk, {"events": [
        event("organisation.upserted", "evt-o1", customer_number="2002", name="Östra Skolan"),
        contact_event(customer_number="2002"),
    ]})
    assert status == 200 and answer == {"results": [{"id": "evt-o1", "status": "applied"},
                                                    {"id": "evt-c1", "status": "applied"}]}
    kim = contact(desk, "kim@kund.se")
    assert (kim.name, kim.role, kim.language, kim.authorised) == ("Kim Berg", "it_contact", "en", True)
    assert (kim.phone, kim.services, kim.slack_user_id) == ("+46 8 123 45 67", ["Lön", "Ekonomi"], "U0KIMBERG1")
    outcome = desk.receive(mail(sender="Kim Berg <kim@kund.se>", subject="Ny fråga"))
    assert any("portal rule" in decision for decision in outcome.decisions)
    [answer_mail] = desk.mails()
    assert answer_mail.payload["template"] == "portal_redirect" and answer_mail.payload["lang"] == "en"


def test_the_same_event_again_is_a_duplicate_and_changes_nothing(desk):
    assert post(desk, contact_event())[1] == {"results": [{"id": "evt-c1", "status": "applied"}]}
    before = snapshot(desk)
    # The portal retries with the same id; even changed content is the same event.
    status, answer = post(desk, contact_event(name="Someone Else"))
    assert status == 200 and answer == {"results": [{"id": "evt-c1", "status": "duplicate"}]}
    assert snapshot(desk) == before
    status, answer = post(desk, contact_event(event_id="evt-c2"))  # a new event saying the same
    assert answer == {"results": [{"id": "evt-c2", "status": "unchanged"}]} and snapshot(desk) == before
    with desk.sessions() as session:
        assert {(e.event_id, e.outcome) for e in session.query(DirectoryEvent)} == {
            ("evt-c1", "applied"), ("evt-c2", "unchanged")}


def test_an_event_older_than_the_last_one_applied_is_stale(desk):
    post(desk, event("contact.deactivated", "evt-d", "2026-03-10T10:00:00Z", email="asa@kund.se"))
    assert contact(desk, "asa@kund.se").authorised is False
    # The portal's retry of an earlier upsert arrives after the deactivation.
    status, answer = post(desk, contact_event("evt-old", "2026-03-10T09:59:59Z", email="asa@kund.se", authorised=True))
    assert answer == {"results": [{"id": "evt-old", "status": "stale"}]}
    assert contact(desk, "asa@kund.se").authorised is False
    status, answer = post(desk, contact_event("evt-new", "2026-03-10T10:00:01Z", email="asa@kund.se"))
    assert answer == {"results": [{"id": "evt-new", "status": "applied"}]}
    assert contact(desk, "asa@kund.se").authorised is True


def test_a_deactivated_contact_is_answered_as_unknown_and_kept(desk):
    status, answer = post(desk, event("contact.deactivated", email="ASA@kund.se"))
    assert status == 200 and answer == {"results": [{"id": "evt-1", "status": "applied"}]}
    asa = contact(desk, "asa@kund.se")
    assert asa is not None and asa.authorised is False and asa.name == "Åsa Andersson"
    desk.receive(mail())
    [answer_mail] = desk.mails()
    assert answer_mail.payload["template"] == "unknown_sender"
    status, answer = post(desk, event("contact.deactivated", "evt-2", email="nobody@kund.se"))
    assert answer == {"results": [{"id": "evt-2", "status": "unchanged"}]}


def test_left_out_optional_fields_keep_what_is_stored_and_null_clears(desk):
    post(desk, contact_event())
    changed = contact_event("evt-c2", "2026-03-10T09:01:00Z", name="Kim B. Berg")
    for key in ("phone", "slack_user_id", "services"):
        del changed["data"][key]
    post(desk, changed)
    kim = contact(desk, "kim@kund.se")
    assert (kim.name, kim.phone, kim.services, kim.slack_user_id) == \
        ("Kim B. Berg", "+46 8 123 45 67", ["Lön", "Ekonomi"], "U0KIMBERG1")
    post(desk, contact_event("evt-c3", "2026-03-10T09:02:00Z", phone=None, services=None))
    kim = contact(desk, "kim@kund.se")
    assert (kim.phone, kim.services) == (None, [])


@pytest.mark.parametrize(("payload", "errors"), [
    (contact_event(email="kim(at)kund.se"), {"data.email": "'kim(at)kund.se' is not an e-mail address"}),
    (contact_event(role="admin"), {"data.role": "'admin' is not one of main_admin, it_contact (or huvudadministratör, IT-ansvarig)"}),
    (contact_event(language="de"), {"data.language": "'de' is not sv or en"}),
    (contact_event(authorised="ja"), {"data.authorised": "Input should be a valid boolean"}),
    (contact_event(slack_user_id="@kim"), {"data.slack_user_id": "'@kim' is not a Slack user id (U… or W…)"}),
    (contact_event(customer_number=""), {"data.customer_number": "is empty"}),
    (contact_event(customer_number=9999), {"data.customer_number": "unknown organisation: send organisation.upserted first"}),
    (contact_event(name="Kim\nBcc: x@evil.example"), {"data.name": "contains control characters"}),
    (event("organisation.upserted", customer_number="2002"), {"data.name": "Field required"}),
    (event("contact.deleted", email="asa@kund.se"),
     {"type": "Input should be 'organisation.upserted', 'contact.upserted' or 'contact.deactivated'"}),
    ({**contact_event(), "occurred_at": "2026-03-10T09:00:00"}, {"occurred_at": "Input should have timezone info"}),
    ({**contact_event(), "id": "evt 1/../x"}, {"id": "String should match pattern '^[A-Za-z0-9._:-]{1,128}$'"}),
    ([contact_event()], {"body": "an event must be a JSON object"}),
    ({"events": []}, {"events": "must be a list of 1 to 1000 events"}),
], ids=["email", "role", "language", "authorised", "slack-id", "no-number", "unknown-org", "control-chars",
        "org-without-name", "unknown-type", "naive-time", "bad-id", "array", "empty-batch"])
def test_bad_events_get_422_with_field_errors_and_change_nothing(desk, payload, errors):
    before = snapshot(desk)
    status, answer = post(desk, payload)
    assert status == 422 and answer == {"errors": errors}
    assert snapshot(desk) == before
    with desk.sessions() as session:
        assert session.query(DirectoryEvent).count() == 0


def test_one_bad_event_in_a_batch_rejects_the_batch_naming_its_place(desk):
    before = snapshot(desk)
    status, answer = post(desk, {"events": [event("organisation.upserted", "evt-o", customer_number="3003",
                                                  name="Nya AB"),
                                            contact_event("evt-c", customer_number="3003"),
                                            event("contact.deactivated", "evt-d", email="not an address")]})
    assert status == 422 and answer == {"errors": {"events.2.data.email": "'not an address' is not an e-mail address"}}
    status, answer = post(desk, {"events": [contact_event("evt-c", customer_number="3003"),
                                            event("organisation.upserted", "evt-o", customer_number="3003",
                                                  name="Nya AB")]})
    assert status == 422 and answer == {"errors": {
        "events.0.data.customer_number": "unknown organisation: send organisation.upserted first"}}
    assert snapshot(desk) == before  # the organisation of the second request was rolled back too


def test_a_slack_user_linked_to_another_contact_is_refused(desk):
    post(desk, contact_event())
    status, answer = post(desk, contact_event("evt-2", email="asa@kund.se"))
    assert status == 422 and answer == {"errors": {"data.slack_user_id": "U0KIMBERG1 is linked to another contact"}}


def _unsigned(body, headers, now):
    return body, {k: v for k, v in headers.items() if not k.startswith("X-Portal")}


@pytest.mark.parametrize("tamper", [
    _unsigned,
    lambda body, headers, now: (body, headers | {"X-Portal-Signature": "v1=" + "0" * 64}),
    lambda body, headers, now: (body.replace(b"Kim Berg", b"Eve Berg"), headers),
    lambda body, headers, now: (body, signed_headers(body, now, secret="another-secret")),
    lambda body, headers, now: (body, signed_headers(body, now - timedelta(minutes=6))),
], ids=["unsigned", "zero-signature", "body-changed", "wrong-secret", "stale"])
def test_requests_without_the_portals_signature_get_401_and_change_nothing(desk, tamper):
    before = snapshot(desk)
    body = body_of(contact_event())
    body, headers = tamper(body, signed_headers(body, desk.clock()), desk.clock())
    status, answer = post(desk, None, raw=body, headers=headers)
    assert status == 401 and answer == {"error": "invalid signature"}
    assert snapshot(desk) == before


def test_no_secret_configured_is_503(lifecycle_desk):
    desk = lifecycle_desk(portal={"webhook_secret": ""})
    status, answer = post(desk, contact_event())
    assert status == 503 and answer == {"error": "webhook not configured"}
