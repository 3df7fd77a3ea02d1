"""A hand-made desk week for the report tests: ISO week 2026-W11 (Mon 9 – Sun 15 March) and some of W10.

Every figure the tests expect is worked out by hand in the comments of
``tests/desk/test_report_figures.py`` from the table below, with the desk's
ordinary hours (09–12, 13–16 on weekdays; no holiday in these weeks) and the
120-business-minute target. "Now" is Monday 16 March 09:05, just after the
weekly post became due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.domain.hours.calendar import BusinessCalendar
from storage.models import Contact, Inquiry, Organisation, SurveyResponse
from storage.repositories import events, tickets
from tests.support.desk_zone import DESK_ZONE

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SEEDED_AT = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def local(*parts: int) -> datetime:
    """An aware UTC instant from Stockholm wall-clock parts."""
    return datetime(*parts, tzinfo=STOCKHOLM).astimezone(timezone.utc)


NOW = local(2026, 3, 16, 9, 5)
ORGANISATIONS = {"A": "Västerby kommun", "B": "Norrå AB", "C": "Kund & Co <C>"}
CONTACTS = {"c1": "A", "c2": "A", "c3": "B", "c4": "C"}


@dataclass(frozen=True)
class T:
    """One ticket: registered, line, priority, origin, contact, first response, closings, reopenings."""

    name: str
    created: datetime
    line: int
    priority: str
    origin: str
    contact: str | None
    responded: datetime | None = None
    closed: tuple[datetime, ...] = ()  # closing events, in order
    reopened: tuple[datetime, ...] = ()  # reopening events, in order
    closed_without_event: datetime | None = None  # imported history: closed_at only


TICKETS = (
    T("T9", local(2026, 3, 2, 9, 0), 2, "normal", "email", "c4", local(2026, 3, 2, 9, 20),
      closed_without_event=local(2026, 3, 6, 12, 0)),
    T("T8", local(2026, 3, 3, 10, 0), 1, "normal", "portal", "c1", local(2026, 3, 3, 10, 45),
      closed=(local(2026, 3, 4, 10, 0),)),
    T("T1", local(2026, 3, 9, 9, 0), 1, "normal", "portal", "c1", local(2026, 3, 9, 9, 30),
      closed=(local(2026, 3, 10, 10, 0),)),
    T("T2", local(2026, 3, 9, 11, 30), 1, "normal", "email", "c2", local(2026, 3, 9, 14, 0)),
    T("T3", local(2026, 3, 9, 15, 30), 2, "high", "portal", "c3", local(2026, 3, 10, 11, 0),
      closed=(local(2026, 3, 11, 10, 0),), reopened=(local(2026, 3, 12, 9, 15),)),
    T("T4", local(2026, 3, 10, 9, 0), 1, "urgent", "slack", "c3", local(2026, 3, 10, 9, 10),
      closed=(local(2026, 3, 10, 15, 0),)),
    T("T5", local(2026, 3, 11, 10, 0), 3, "normal", "portal", "c4"),
    T("T6", local(2026, 3, 13, 15, 0), 1, "normal", "staff", None),
    T("T7", local(2026, 3, 14, 10, 0), 1, "low", "portal", "c1", local(2026, 3, 16, 9, 2)),
)

# (ticket, rating, comment, answered)
SURVEYS = (
    ("T8", 3, "Tog lite tid", local(2026, 3, 5, 10, 0)),
    ("T1", 5, "Snabbt och bra", local(2026, 3, 10, 12, 0)),
    ("T4", 4, None, local(2026, 3, 11, 9, 30)),
    ("T3", 2, "Problemet kom tillbaka", local(2026, 3, 11, 14, 0)),
)

# New cases answered with the portal link: (created, channel, contact, opened as ticket)
INQUIRIES = (
    (local(2026, 3, 9, 10, 30), "email", "c1", None),  # c1 registers T7 in the portal on Saturday: came back
    (local(2026, 3, 9, 11, 25), "email", "c2", "T2"),  # staff opened it as T2 anyway
    (local(2026, 3, 12, 20, 0), "slack", "c3", None),  # out of hours; never came back
)


def seed_week(sessions, calendar: BusinessCalendar | None = None) -> dict[str, int]:
    """Write the week into a migrated database; the ids of the tickets by name."""
    calendar = calendar or BusinessCalendar()
    with sessions() as session:
        orgs = {key: Organisation(number=f"10{n}", name=name, created_at=SEEDED_AT)
                for n, (key, name) in enumerate(ORGANISATIONS.items())}
        people = {key: Contact(organisation=orgs[org], email=f"{key}@kund.se", name=key, created_at=SEEDED_AT)
                  for key, org in CONTACTS.items()}
        session.add_all([*orgs.values(), *people.values()])
        session.flush()
        ids = {t.name: _ticket(session, t, people, calendar) for t in TICKETS}
        for name, rating, comment, answered in SURVEYS:
            line = next(t.line for t in TICKETS if t.name == name)
            session.add(SurveyResponse(ticket_id=ids[name], rating=rating, comment=comment, line=line,
                                       answered_at=answered))
        for created, channel, contact, opened in INQUIRIES:
            person = people[contact]
            session.add(Inquiry(kind="new_case", channel=channel, sender_email=person.email, contact_id=person.id,
                                organisation_id=person.organisation_id, subject="Nytt ärende", created_at=created,
                                status="opened" if opened else "waiting", ticket_id=ids[opened] if opened else None))
        session.commit()
    return ids


def _ticket(session, t: T, people: dict, calendar: BusinessCalendar) -> int:
    contact = people[t.contact] if t.contact else None
    moves = sorted([(at, "closed") for at in t.closed] + [(at, "reopened") for at in t.reopened])
    closed_now = t.closed_without_event or (moves[-1][0] if moves and moves[-1][1] == "closed" else None)
    ticket = tickets.create_ticket(
        session, desk_zone=DESK_ZONE, subject=f"Ärende {t.name}", origin=t.origin, created_at=t.created, line=t.line, priority=t.priority,
        contact_id=contact.id if contact else None, organisation_id=contact.organisation_id if contact else None,
        status="closed" if closed_now else "open", closed_at=closed_now, first_response_at=t.responded,
        first_response_due_at=calendar.add_business_minutes(t.created, 120))
    for at, what in moves:
        old, new = ("open", "closed") if what == "closed" else ("closed", "open")
        events.record_event(session, ticket, "status_changed", at, old=old, new=new)
    return ticket.id
