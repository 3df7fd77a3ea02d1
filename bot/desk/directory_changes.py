"""One organisation or contact at a time: `contact add`, `contact deauthorise` and the portal's directory events.

The same rules as the import (bot/desk/directory_import.py): keyed by customer
number and lower-cased e-mail, nothing deleted, and a change reported as
``created``, ``updated``, ``deauthorised`` or ``unchanged``. The caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Contact, Organisation
from storage.repositories.directory import find_contact


class DirectoryError(Exception):
    """The change cannot be made as asked (an unknown organisation, a Slack user linked to someone else)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def find_organisation(session: Session, number: str) -> Organisation | None:
    """The organisation with this customer number."""
    return session.execute(select(Organisation).where(Organisation.number == number.strip())).scalar_one_or_none()


def upsert_organisation(session: Session, number: str, name: str, now: datetime) -> tuple[Organisation, str]:
    """Create the organisation, or rename it; with what happened."""
    organisation = find_organisation(session, number)
    if organisation is None:
        organisation = Organisation(number=number, name=name, created_at=now)
        session.add(organisation)
        session.flush()
        return organisation, "created"
    if organisation.name == name:
        return organisation, "unchanged"
    organisation.name = name
    return organisation, "updated"


def upsert_contact(session: Session, organisation: Organisation, email: str, values: dict[str, Any],
                   now: datetime) -> tuple[Contact, str]:
    """Create the contact in ``organisation`` or bring it there with ``values`` (columns); with what happened.

    A ``slack_user_id`` already linked to another contact raises DirectoryError.
    """
    _check_slack_link(session, email, values.get("slack_user_id"))
    contact = find_contact(session, email)
    if contact is None:
        contact = Contact(organisation_id=organisation.id, email=email, created_at=now,
                          **{"services": [], **values})
        session.add(contact)
        session.flush()
        return contact, "created"
    was_authorised = contact.authorised
    changed = contact.organisation_id != organisation.id
    contact.organisation_id = organisation.id
    for key, value in values.items():
        if getattr(contact, key) != value:
            setattr(contact, key, value)
            changed = True
    if not changed:
        return contact, "unchanged"
    return contact, "deauthorised" if was_authorised and not contact.authorised else "updated"


def deauthorise_contact(session: Session, email: str) -> tuple[Contact | None, str]:
    """Take away the contact's right to open cases (kept, never deleted): ``deauthorised``, ``unchanged`` or ``unknown``."""
    contact = find_contact(session, email)
    if contact is None:
        return None, "unknown"
    if not contact.authorised:
        return contact, "unchanged"
    contact.authorised = False
    return contact, "deauthorised"


def _check_slack_link(session: Session, email: str, slack_user_id: str | None) -> None:
    if not slack_user_id:
        return
    holder = session.execute(select(Contact.email).where(Contact.slack_user_id == slack_user_id)).scalar_one_or_none()
    if holder is not None and holder != email:
        raise DirectoryError("slack_user_id", f"{slack_user_id} is linked to another contact")
