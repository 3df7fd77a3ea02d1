"""The ticket vocabulary: one definition the database, Slack and the rules share."""

from __future__ import annotations

from bot.domain.tickets import (
    AGENT_STATUSES, MAIL_ON_STATUS, PRIORITIES, PRIORITY_LABELS, REOPENED_BY_REPLY, STATUS_LABELS, STATUS_WORDS,
    STATUSES, Priority, Status,
)
from storage.models import Ticket


def test_the_database_checks_the_same_values_the_domain_names():
    checks = {str(c.sqltext) for c in Ticket.__table__.constraints if getattr(c, "sqltext", None) is not None}
    assert f"status IN {STATUSES!r}" in checks and f"priority IN {PRIORITIES!r}" in checks
    assert STATUSES == ("new", "open", "waiting_on_customer", "closure_requested", "closed")
    assert all(type(value) is str for value in STATUSES + PRIORITIES)  # plain strings in SQL, not enum reprs


def test_every_status_and_priority_has_its_words():
    assert set(STATUS_WORDS) == set(STATUS_LABELS) == set(Status)
    assert set(PRIORITY_LABELS) == set(Priority)
    assert STATUS_LABELS["waiting_on_customer"] == "Waiting on customer"
    assert STATUS_WORDS[Status.CLOSURE_REQUESTED] == "closure requested"


def test_a_reply_reopens_every_status_the_desk_waits_in_and_agents_set_only_mailed_statuses():
    assert set(REOPENED_BY_REPLY) == {Status.WAITING_ON_CUSTOMER, Status.CLOSURE_REQUESTED, Status.CLOSED}
    assert set(REOPENED_BY_REPLY.values()) == {Status.OPEN}
    assert set(AGENT_STATUSES) <= set(MAIL_ON_STATUS)
    assert MAIL_ON_STATUS[Status.CLOSED] == "status_closed" and MAIL_ON_STATUS[Status.WAITING_ON_CUSTOMER] is None
