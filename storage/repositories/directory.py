"""Looking up contacts, organisations and agents."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from storage.models import Agent, Contact


_CONTACT_BY_EMAIL = select(Contact).where(Contact.email == bindparam("email"))  # built once: runs per mail


def find_contact(session: Session, email: str) -> Contact | None:
    """The registered contact with this address (addresses compare case-insensitively)."""
    return session.execute(_CONTACT_BY_EMAIL, {"email": email.strip().lower()}).scalar_one_or_none()


def find_agent_by_email(session: Session, email: str) -> Agent | None:
    """The active agent with this address."""
    query = select(Agent).where(func.lower(Agent.email) == email.strip().lower(), Agent.active.is_(True))
    return session.execute(query).scalar_one_or_none()


def find_agent_by_slack_user(session: Session, slack_user_id: str) -> Agent | None:
    """The active agent linked to this Slack user."""
    query = select(Agent).where(Agent.slack_user_id == slack_user_id, Agent.active.is_(True))
    return session.execute(query).scalar_one_or_none()
