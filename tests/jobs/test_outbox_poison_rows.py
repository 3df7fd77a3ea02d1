"""A row that can never be sent fails once, at once (issue 16, point 5); keys always fit.

Real delivery: the outbox worker and the email deliverer against an aiosmtpd sink.
Before: an unknown sender's 300-character Message-ID made a key over 200
characters (on PostgreSQL over the column's 255: the mail could not even be
processed), and a row to ``evil`` raised in the composer; both were retried
for 48 h with an ERROR and a traceback each time.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from storage.models import OutboxRow
from storage.repositories import outbox
from storage.repositories.outbox_keys import fit_key
from tests.handlers.conftest import OPEN, desk, mail, make_desk  # noqa: F401 - fixtures
from tests.jobs.test_outbox_email import Clock, make_worker, sink  # noqa: F401 - fixture

LONG_ID = "<" + "x" * 280 + "@mx.elsewhere.example>"


@pytest.fixture
def clock():
    return Clock(OPEN)


def rows(session_factory, kind: str) -> list[OutboxRow]:
    with session_factory() as session:
        return list(session.execute(select(OutboxRow).where(OutboxRow.kind == kind).order_by(OutboxRow.id)).scalars())


def test_an_unknown_senders_300_character_message_id_is_answered_once(desk, session_factory, clock, sink):
    raw = mail(sender="Kim <kim@elsewhere.example>", message_id=LONG_ID)
    assert len(LONG_ID) == 303
    assert desk.receive(raw).disposition == "processed"
    [row] = rows(session_factory, "email")
    assert row.idempotency_key == fit_key(f"auto:{LONG_ID}:unknown_sender") and len(row.idempotency_key) <= 200
    assert row.idempotency_key.startswith("auto:sha256=") and row.idempotency_key.endswith(":unknown_sender")
    _settings, worker = make_worker(session_factory, clock, sink.port)
    assert worker.run_once() == 1
    [(_from, rcpts, _raw)] = sink.wait_for(1)
    assert rcpts == ["kim@elsewhere.example"] and sink.parsed(0)["X-Supportbot-Id"] == row.idempotency_key
    assert rows(session_factory, "email")[0].state == "sent"
    with session_factory() as session:  # the same key again (a retry of the same decision) queues nothing
        assert not outbox.enqueue(session, "email", f"auto:{LONG_ID}:unknown_sender", {}, OPEN)


def test_keys_that_fit_stay_exactly_what_they_were():
    for key in ("auto:<CAF=x+y@mail.gmail.com>:portal_redirect", "ticket:12:r3:agent_reply", "x" * 200):
        assert fit_key(key) == key
    assert fit_key("x" * 201) != fit_key("x" * 202)  # different keys stay different
    assert fit_key("auto:<ü@kund.se>:out_of_hours").startswith("auto:sha256=")  # not ASCII: X-Supportbot-Id is


GOOD = {"template": "agent_reply", "lang": "sv", "to": ["asa@kund.se"], "message_id": "<sb-p1@example.com>",
        "context": {"contact_name": "Åsa", "reference": "TC-1", "subject": "s", "body": "b", "agent_name": "Ö"}}


@pytest.mark.parametrize("payload", [
    GOOD | {"to": ["evil"]},  # a From that parsed to "evil", queued before the sender rule
    GOOD | {"to": ["john@customer.example <attacker@evil.example>"]},
    GOOD | {"to": "asa@kund.se"},  # a string, not a list
    GOOD | {"template": "no_such_template"},
    GOOD | {"context": {}},  # StrictUndefined: a missing variable
    GOOD | {"message_id": "<not a message id>"},
    {key: value for key, value in GOOD.items() if key != "lang"},
], ids=["evil", "display-address", "to-not-a-list", "no-template", "missing-variable", "bad-message-id",
        "no-lang"])
def test_a_row_that_can_never_be_sent_fails_at_once_with_one_alert(session_factory, clock, sink, caplog, payload):
    with session_factory() as session:
        outbox.enqueue(session, "email", "legacy:1", payload, clock())
        session.commit()
    _settings, worker = make_worker(session_factory, clock, sink.port)
    with caplog.at_level(logging.INFO, logger="supportbot"):
        assert worker.run_once() == 1
        clock.advance(hours=3)
        assert worker.run_once() == 0  # never retried
    [row] = rows(session_factory, "email")
    assert (row.state, row.attempts) == ("failed", 1)
    assert len(rows(session_factory, "slack.alert")) == 1
    errors = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert [(r.levelname, r.exc_info) for r in errors] == [("ERROR", None)], [r.getMessage() for r in errors]
    assert sink.messages == []


def test_a_stored_row_whose_key_is_too_long_is_still_delivered(session_factory, clock, sink):
    # Rows stored by the old code keep their key; the X-Supportbot-Id header carries its fitted form.
    from storage.repositories.upsert import insert_ignoring_conflict

    key = "auto:" + "k" * 220 + ":portal_redirect"  # 241: over 200, within the column's 255
    with session_factory() as session:
        insert_ignoring_conflict(session, OutboxRow, {
            "kind": "email", "idempotency_key": key, "payload": GOOD, "state": "pending", "attempts": 0,
            "next_attempt_at": clock(), "created_at": clock()})
        session.commit()
    _settings, worker = make_worker(session_factory, clock, sink.port)
    assert worker.run_once() == 1
    sink.wait_for(1)
    assert sink.parsed(0)["X-Supportbot-Id"] == fit_key(key) and rows(session_factory, "email")[0].state == "sent"
