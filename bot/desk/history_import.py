"""`supportbot ticket import`: past cases from the previous system, one JSON object per line.

Imported cases get our references (year of ``opened_at``) and keep their
``external_reference``, on which the import is idempotent: a line already
imported is skipped. They send nothing, start no SLA clock and post no card;
their messages go into the full-text index like any other (in the same
transaction). An unknown organisation rejects the line (history needs its
customer); an unknown contact is created as a non-authorised contact of that
organisation, so history is never dropped and nobody gains the right to open cases.
Lines are committed in batches; ``dry_run`` checks everything and commits nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.history_schema import HistoryCase
from bot.domain.tickets import Status
from storage.models import Agent, Contact, Organisation, SurveyResponse, Ticket
from storage.repositories import events, messages, tickets

BATCH = 500


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0  # already imported (same external_reference)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    contacts_created: int = 0

    def as_dict(self) -> dict:
        return {"imported": self.imported, "skipped": self.skipped, "contacts_created": self.contacts_created,
                "rejected": [{"line": number, "reason": reason} for number, reason in self.rejected]}


def import_history(sessions: sessionmaker[Session], lines: Iterable[str], *, prefix: str, desk_zone: str,
                   now: datetime, dry_run: bool = False) -> ImportReport:
    """Import every line of a history file; return what happened to each."""
    report = ImportReport()
    with sessions() as session:
        importer = _Importer(session, prefix, desk_zone, now, report)
        for number, line in enumerate(lines, start=1):
            if line.strip():
                importer.line(number, line)
            if importer.pending >= BATCH and not dry_run:
                session.commit()
                importer.pending = 0
        session.rollback() if dry_run else session.commit()
    return report


class _Importer:
    def __init__(self, session: Session, prefix: str, desk_zone: str, now: datetime, report: ImportReport) -> None:
        self.session, self.prefix, self.desk_zone, self.now, self.report = session, prefix, desk_zone, now, report
        self.pending = 0
        self._organisations = dict(session.execute(select(Organisation.number, Organisation.id)).all())
        self._agents = dict(session.execute(select(Agent.email, Agent.id)).all())
        # Every external reference already in the desk, read once: idempotence without a query per line.
        self._seen: set[str] = set(session.execute(
            select(Ticket.external_reference).where(Ticket.external_reference.is_not(None))).scalars())
        # Contacts by e-mail, filled as lines name them: one SELECT per contact, not per line (each SELECT
        # would also flush the pending rows of the lines before it).
        self._contacts: dict[str, Contact] = {}

    def line(self, number: int, line: str) -> None:
        try:
            case = HistoryCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            self.report.rejected.append((number, f"not JSON: {exc.msg} at column {exc.colno}"))
            return
        except ValidationError as exc:
            self.report.rejected.append((number, _reason(exc)))
            return
        organisation_id = self._organisations.get(case.organisation)
        if organisation_id is None:
            self.report.rejected.append((number, f"unknown organisation {case.organisation!r}"))
            return
        if case.external_reference in self._seen:
            self.report.skipped += 1
            return
        self._seen.add(case.external_reference)
        self._store(case, organisation_id)
        self.report.imported += 1
        self.pending += 1

    def _store(self, case: HistoryCase, organisation_id: int) -> None:
        contact = self._contact(case, organisation_id)
        ticket = tickets.create_ticket(
            self.session, subject=case.subject, origin=case.channel, created_at=case.opened_at, prefix=self.prefix,
            desk_zone=self.desk_zone,
            participants=(contact.email,), external_reference=case.external_reference,
            status=Status.CLOSED if case.closed_at else Status.OPEN, line=case.line, priority=case.priority,
            category=case.category, organisation_id=organisation_id, contact_id=contact.id, language=case.language,
            closed_at=case.closed_at, first_response_at=case.first_response_at,
            first_response_due_at=case.first_response_due_at, updated_at=case.closed_at or case.opened_at,
        )
        for message in case.messages:
            self._message(ticket, case, contact, message)
        events.record_event(self.session, ticket, "imported", self.now, external_reference=case.external_reference)
        if case.survey is not None:
            self.session.add(SurveyResponse(
                ticket_id=ticket.id, rating=case.survey.rating, comment=case.survey.comment, channel="import",
                line=case.line, answered_at=case.survey.answered_at or case.closed_at))

    def _message(self, ticket: Ticket, case: HistoryCase, contact: Contact, message) -> None:
        customer = message.sender == "customer"
        author = (message.author or (contact.email if customer else "")).strip().lower() or None
        messages.record_message(
            self.session, ticket, direction="inbound" if customer else "outbound",
            channel=case.channel, visibility="customer", automatic=False, author_email=author,
            author_name=case.contact_name[:255] if customer else None,
            agent_id=None if customer else self._agents.get(author or ""),
            subject=case.subject, text=message.text, stripped_text=message.text, created_at=message.at)

    def _contact(self, case: HistoryCase, organisation_id: int) -> Contact:
        email = case.contact.lower()
        if email in self._contacts:
            return self._contacts[email]
        contact = self.session.execute(select(Contact).where(Contact.email == email)).scalar_one_or_none()
        if contact is None:
            contact = Contact(organisation_id=organisation_id, email=email, name=case.contact_name,
                              role="it_contact", language=case.language, authorised=False, created_at=self.now)
            self.session.add(contact)
            self.session.flush()
            self.report.contacts_created += 1
        self._contacts[email] = contact
        return contact


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "line"
    return f"{where}: {first['msg']}"
