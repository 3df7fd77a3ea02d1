"""`supportbot directory import`: the checked rows of the portal's CSV written as one change, or not at all.

Organisations are keyed by customer number, contacts by e-mail (stored lower-case,
so matching ignores case). A contact on the file is created, updated (another
organisation, name, role, language, re-authorised, phone, services, Slack id) or
left as it is; ``prune`` de-authorises the contacts of the file's organisations
that the file no longer lists. Nothing is ever deleted: history needs the people
who wrote it (``contact forget`` is the one way personal data goes).

Counts are disjoint: a contact that lost its authorisation (the file says no, or
the prune) counts as ``deauthorised``, another change as ``updated``. A second
import of the same file finds everything ``unchanged`` and writes nothing.

Optional columns the file does not have leave their fields alone; an empty
``phone`` or ``services`` clears it; an empty ``slack_user_id`` leaves a link the
desk made itself (from the person's Slack profile) in place.

All reads are a few IN-queries per 500 addresses and all writes executemany
statements, so 5,000 contacts take about a second (bench/bench_directory.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from bot.domain.directory.csv_file import FileError, read_csv
from bot.domain.directory.rows import Checked, DirectoryRow, Rejected, check_records
from storage.models import Contact, Organisation

CHUNK = 500


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do); ``as_json`` is the documented shape."""

    organisations: Counter = field(default_factory=Counter)
    contacts: Counter = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    prune_spared: list[str] = field(default_factory=list)  # customer numbers --prune left alone
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "organisations": {key: self.organisations[key] for key in ("created", "updated")},
            "contacts": {key: self.contacts[key] for key in ("created", "updated", "deauthorised", "unchanged")},
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


def import_file(session: Session, data: bytes, now: datetime, *, encoding: str = "utf-8",
                delimiter: str | None = None, **options: bool) -> ImportReport:
    """Read, check and import a directory file (``options``: prune, skip_invalid, dry_run); the caller commits."""
    try:
        checked = check_records(read_csv(data, encoding=encoding, delimiter=delimiter).records)
    except FileError as exc:
        checked = Checked(rejected=[Rejected(exc.line, exc.reason)])
    return import_directory(session, checked, now, **options)


def import_directory(session: Session, checked: Checked, now: datetime, *, prune: bool = False,
                     skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Apply ``checked`` in ``session`` (the caller commits); nothing when rows were rejected, unless ``skip_invalid``."""
    state = _State.load(session, checked, prune)
    _reject_taken_slack_ids(checked, state)
    report = ImportReport(rejected=checked.rejected)
    if checked.rejected and not skip_invalid:
        return report
    plan = _Plan.make(state, checked, prune)
    report.organisations, report.contacts = plan.organisations, plan.contacts
    report.prune_spared = sorted(plan.spared & {row.customer_number for row in checked.rows}) if prune else []
    if not dry_run:
        plan.write(session, now)
        report.written = True
    return report


_CONTACT_COLUMNS = (Contact.id, Contact.email, Contact.organisation_id, Contact.name, Contact.role, Contact.language,
                    Contact.authorised, Contact.phone, Contact.services, Contact.slack_user_id)


@dataclass
class _State:
    """What the database holds that the file touches."""

    organisations: dict[str, Any]  # number → row (id, number, name)
    contacts: dict[str, Any]  # email → row
    slack_holders: dict[str, Any]  # slack user id → contact row
    members: list[Any]  # contacts of the file's organisations, for --prune

    @classmethod
    def load(cls, session: Session, checked: Checked, prune: bool) -> "_State":
        numbers = sorted({row.customer_number for row in checked.rows})
        emails = sorted({row.email for row in checked.rows})
        slack_ids = sorted({row.slack_user_id for row in checked.rows if row.slack_user_id})
        organisations = {org.number: org for org in _in(session, (Organisation.id, Organisation.number,
                                                                  Organisation.name), Organisation.number, numbers)}
        contacts = {c.email: c for c in _in(session, _CONTACT_COLUMNS, Contact.email, emails)}
        holders = {c.slack_user_id: c for c in _in(session, _CONTACT_COLUMNS, Contact.slack_user_id, slack_ids)}
        org_ids = sorted(org.id for org in organisations.values())
        members = _in(session, _CONTACT_COLUMNS, Contact.organisation_id, org_ids) if prune else []
        return cls(organisations, contacts, holders, members)


def _in(session: Session, columns, key, values: list) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), CHUNK):
        found += session.execute(select(*columns).where(key.in_(values[start:start + CHUNK]))).all()
    return found


def _reject_taken_slack_ids(checked: Checked, state: _State) -> None:
    """A Slack user already linked to a contact the file does not move elsewhere cannot be given to another."""
    moving = {row.email for row in checked.rows if row.slack_user_id}
    for row in list(checked.rows):
        holder = state.slack_holders.get(row.slack_user_id) if row.slack_user_id else None
        if holder is None or holder.email == row.email:
            continue
        new_link = next((r.slack_user_id for r in checked.rows if r.email == holder.email), None) \
            if holder.email in moving else None
        if new_link and new_link != row.slack_user_id:
            continue  # the file moves the holder to another Slack user in the same import
        checked.rows.remove(row)
        checked.rejected.append(Rejected(row.line, f"slack_user_id {row.slack_user_id} is linked to {holder.email}"))
        checked.spared_emails.add(row.email)
    checked.rejected.sort(key=lambda rejected: rejected.line)


@dataclass
class _Plan:
    """The writes, computed before any is made, and the counts they give."""

    organisations: Counter = field(default_factory=Counter)
    contacts: Counter = field(default_factory=Counter)
    new_organisations: dict[str, str] = field(default_factory=dict)  # number → name
    renamed: list[dict[str, Any]] = field(default_factory=list)
    new_contacts: list[DirectoryRow] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # id + changed columns, numbers for organisations
    unlinks: list[int] = field(default_factory=list)  # contacts whose Slack id moves (cleared first)
    pruned: list[int] = field(default_factory=list)
    spared: set[str] = field(default_factory=set)
    org_ids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def make(cls, state: _State, checked: Checked, prune: bool) -> "_Plan":
        plan = cls(org_ids={number: org.id for number, org in state.organisations.items()})
        plan._organisations(state, checked.rows)
        for row in checked.rows:
            plan._contact(state.contacts.get(row.email), row)
        if prune:
            plan._prune(state, checked)
        return plan

    def _organisations(self, state: _State, rows: list[DirectoryRow]) -> None:
        for row in rows:
            known = state.organisations.get(row.customer_number)
            if known is None:
                if row.customer_number not in self.new_organisations:
                    self.new_organisations[row.customer_number] = row.organisation
                    self.organisations["created"] += 1
            elif known.name != row.organisation and not any(r["id"] == known.id for r in self.renamed):
                self.renamed.append({"id": known.id, "name": row.organisation})
                self.organisations["updated"] += 1

    def _contact(self, stored, row: DirectoryRow) -> None:
        if stored is None:
            self.new_contacts.append(row)
            self.contacts["created"] += 1
            return
        wanted = _wanted(row)
        changed = {key: value for key, value in wanted.items() if getattr(stored, key) != value}
        if stored.organisation_id != self.org_ids.get(row.customer_number):
            changed["customer_number"] = row.customer_number
        if not changed:
            self.contacts["unchanged"] += 1
            return
        if "slack_user_id" in changed and stored.slack_user_id:
            self.unlinks.append(stored.id)
        self.changes.append({"id": stored.id, **changed})
        self.contacts["deauthorised" if stored.authorised and not row.authorised else "updated"] += 1

    def _prune(self, state: _State, checked: Checked) -> None:
        listed = {row.email for row in checked.rows}
        self.spared = {number for number in checked.spared_numbers if number}
        spared_ids = {self.org_ids[number] for number in self.spared if number in self.org_ids}
        for member in state.members:
            if member.authorised and member.email not in listed and member.email not in checked.spared_emails \
                    and member.organisation_id not in spared_ids:
                self.pruned.append(member.id)
        self.contacts["deauthorised"] += len(self.pruned)

    def write(self, session: Session, now: datetime) -> None:
        if self.new_organisations:
            created = session.execute(insert(Organisation).returning(Organisation.id, Organisation.number), [
                {"number": number, "name": name, "created_at": now} for number, name in self.new_organisations.items()])
            self.org_ids.update({number: org_id for org_id, number in created})
        if self.renamed:
            session.execute(update(Organisation), self.renamed)
        for start in range(0, len(self.unlinks), CHUNK):
            session.execute(update(Contact).where(Contact.id.in_(self.unlinks[start:start + CHUNK]))
                            .values(slack_user_id=None).execution_options(synchronize_session=False))
        if self.changes:
            session.execute(update(Contact), [self._resolved(change) for change in self.changes])
        if self.new_contacts:
            # render_nulls: the ORM leaves out None values, and batches one executemany per run of rows with
            # equal keys; rows with and without a phone or Slack id alternating made 3,300 statements of 5,000.
            session.execute(insert(Contact).execution_options(render_nulls=True), [{**_wanted(row), "phone": row.phone, "services": list(row.services),
                                               "slack_user_id": row.slack_user_id,
                                               "organisation_id": self.org_ids[row.customer_number],
                                               "created_at": now} for row in self.new_contacts])
        for start in range(0, len(self.pruned), CHUNK):
            session.execute(update(Contact).where(Contact.id.in_(self.pruned[start:start + CHUNK]))
                            .values(authorised=False).execution_options(synchronize_session=False))

    def _resolved(self, change: dict[str, Any]) -> dict[str, Any]:
        change = dict(change)
        number = change.pop("customer_number", None)
        if number is not None:
            change["organisation_id"] = self.org_ids[number]
        return change


def _wanted(row: DirectoryRow) -> dict[str, Any]:
    """The contact's columns as the row gives them (optional columns only when the file has them)."""
    wanted: dict[str, Any] = {"email": row.email, "name": row.name, "role": row.role, "language": row.language,
                              "authorised": row.authorised}
    if "phone" in row.given:
        wanted["phone"] = row.phone
    if "services" in row.given:
        wanted["services"] = list(row.services)
    if row.slack_user_id:  # empty: keep a link the desk made from the person's Slack profile
        wanted["slack_user_id"] = row.slack_user_id
    return wanted
