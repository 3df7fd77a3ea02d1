"""`ticket import`: what is rejected and why, idempotency, what an imported case carries."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.desk.history_import import import_history
from storage.models import Contact, OutboxRow, SurveyResponse, Ticket, TicketMessage
from tests.desk.memory_fixtures import BACKUP, LOCKED, OPENED, PDF, add_organisation, history_line
from tests.support.desk_zone import DESK_ZONE


def test_unknown_organisations_and_bad_lines_are_rejected_with_their_number_and_reason(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    lines = [PDF, history_line("OLD-9", "Hej", "text", "svar", organisation="9999"), "{not json",
             json.dumps({"external_reference": "OLD-8"}), history_line("OLD-7", "Hej", "t", "s", opened_at="2026-02-02T09:00:00")]
    report = import_history(session_factory, lines, prefix="TC", desk_zone=DESK_ZONE, now=now)
    assert report.imported == 1
    reasons = dict(report.rejected)
    assert reasons[2] == "unknown organisation '9999'"
    assert reasons[3].startswith("not JSON")
    assert reasons[4].startswith("organisation: Field required")
    assert reasons[5] == "opened_at: Value error, needs a UTC offset (e.g. 2026-03-10T09:15:00+01:00)"


def test_import_is_idempotent_on_the_external_reference_and_sends_nothing(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    first = import_history(session_factory, [PDF, LOCKED, PDF], prefix="TC", desk_zone=DESK_ZONE, now=now)
    again = import_history(session_factory, [PDF, LOCKED, BACKUP], prefix="TC", desk_zone=DESK_ZONE, now=now)
    assert (first.imported, first.skipped, again.imported, again.skipped) == (2, 1, 1, 2)
    with session_factory() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 3
        assert session.scalar(select(func.count(OutboxRow.id))) == 0
        ticket = session.execute(select(Ticket).where(Ticket.external_reference == "OLD-1")).scalar_one()
        assert ticket.reference == "TC-2026-00001" and ticket.status == "closed"
        assert ticket.sla_next_check_at is None and ticket.slack_card_ts is None
        assert ticket.created_at == OPENED


def test_unknown_contacts_are_created_not_authorised(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    report = import_history(session_factory, [PDF, LOCKED], prefix="TC", desk_zone=DESK_ZONE, now=now)
    assert report.contacts_created == 1
    with session_factory() as session:
        contact = session.execute(select(Contact).where(Contact.email == "eva@kund.se")).scalar_one()
        assert contact.authorised is False and contact.name == "Eva Ek"


def test_optional_fields_carry_what_reports_need(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    line = history_line("OLD-5", "Exporten", "Text", "Svar", channel="portal", priority="high",
                        first_response_at="2026-02-02T10:00:00+00:00", first_response_due_at="2026-02-02T11:00:00+00:00",
                        survey={"rating": 4, "comment": "Bra"})
    dry = import_history(session_factory, [line], prefix="TC", desk_zone=DESK_ZONE, now=now, dry_run=True)
    assert dry.imported == 1
    with session_factory() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0
    import_history(session_factory, [line], prefix="TC", desk_zone=DESK_ZONE, now=now)
    with session_factory() as session:
        ticket = session.execute(select(Ticket)).scalar_one()
        assert (ticket.origin, ticket.priority, ticket.first_response_at.hour) == ("portal", "high", 10)
        survey = session.execute(select(SurveyResponse)).scalar_one()
        assert (survey.rating, survey.comment, survey.answered_at) == (4, "Bra", ticket.closed_at)
        directions = session.execute(select(TicketMessage.direction, TicketMessage.automatic)
                                     .order_by(TicketMessage.id)).all()
        assert directions == [("inbound", False), ("outbound", False)]
