"""Looking up contacts, organisations and agents."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.models import Agent, Contact
from storage.repositories import preloaded


# Built once: these run per mail.
_CONTACT_BY_EMAIL = select(Contact).where(Contact.email == bindparam("email"))
_CONTACTS_BY_EMAIL = select(Contact).where(Contact.email.in_(bindparam("emails", expanding=True)))
_PRELOADED = "contacts"  # in storage/repositories/preloaded.py: email → Contact or None


def find_contact(session: Session, email: str) -> Contact | None:
    """The registered contact with this address (addresses compare case-insensitively)."""
    email = email.strip().lower()
    known = preloaded.get(session, _PRELOADED)
    if known is not None and email in known:
        return known[email]
    return session.execute(_CONTACT_BY_EMAIL, {"email": email}).scalar_one_or_none()


def preload_contacts(session: Session, emails: Iterable[str]) -> None:
    """Look up a batch's senders in one query; ``find_contact`` answers from it until ``preloaded.forget``.

    For intake: one query per batch instead of one per mail. Nothing in the
    pipeline registers contacts, so within the batch's transaction the answer
    cannot go stale.
    """
    wanted = sorted({email.strip().lower() for email in emails if email})
    found = {contact.email: contact for contact in session.execute(_CONTACTS_BY_EMAIL, {"emails": wanted}).scalars()}
    preloaded.put(session, _PRELOADED, {email: found.get(email) for email in wanted})


def find_agent_by_email(session: Session, email: str) -> Agent | None:
    """The active agent with this address."""
    query = select(Agent).where(func.lower(Agent.email) == email.strip().lower(), Agent.active.is_(True))
    return session.execute(query).scalar_one_or_none()


def find_agent_by_slack_user(session: Session, slack_user_id: str) -> Agent | None:
    """The active agent linked to this Slack user."""
    query = select(Agent).where(Agent.slack_user_id == slack_user_id, Agent.active.is_(True))
    return session.execute(query).scalar_one_or_none()
