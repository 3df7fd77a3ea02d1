"""The portal's directory events applied: once per event id, in order, all of a request or none.

Each event id is stored (``directory_events``) in the same transaction as its
change, so a redelivered event is answered ``duplicate`` and changes nothing; two
deliveries racing meet at the primary key. Webhooks arrive out of order when the
portal retries: an event that occurred before the last one applied to the same
organisation or contact is ``stale`` and changes nothing. Otherwise an event is
``applied`` (something changed) or ``unchanged``. A contact event naming an
organisation the desk does not know (and that no earlier event of the request
created) rejects the whole request: the portal sends ``organisation.upserted`` first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.directory_changes import DirectoryError, deauthorise_contact, find_organisation, \
    upsert_contact, upsert_organisation
from bot.domain.directory.events import DirectoryChange
from storage.models import DirectoryEvent
from storage.repositories.upsert import insert_ignoring_conflict


class EventRejected(Exception):
    """An event cannot be applied; ``errors`` maps its fields (``events.N.`` prefixed in a batch) to reasons."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def apply_events(sessions: sessionmaker[Session], changes: list[DirectoryChange], now: datetime,
                 batch: bool = False) -> list[dict[str, str]]:
    """Apply ``changes`` in one transaction; ``[{"id", "status"}]`` in order. Raises EventRejected (nothing applied)."""
    results = []
    with sessions() as session:
        for index, change in enumerate(changes):
            try:
                status = _apply_once(session, change, now)
            except DirectoryError as exc:
                prefix = f"events.{index}." if batch else ""
                raise EventRejected({f"{prefix}data.{exc.field}": exc.reason}) from None
            results.append({"id": change.event_id, "status": status})
        session.commit()
    return results


def _apply_once(session: Session, change: DirectoryChange, now: datetime) -> str:
    stored = insert_ignoring_conflict(session, DirectoryEvent, {
        "event_id": change.event_id, "type": change.type, "subject": change.subject, "outcome": "applied",
        "occurred_at": change.occurred_at, "received_at": now})
    if stored is None:
        return "duplicate"
    outcome = "stale" if _is_stale(session, change) else _apply(session, change, now)
    if outcome != "applied":
        session.execute(update(DirectoryEvent).where(DirectoryEvent.event_id == change.event_id)
                        .values(outcome=outcome))
    return outcome


def _is_stale(session: Session, change: DirectoryChange) -> bool:
    latest = session.execute(
        select(DirectoryEvent.occurred_at)
        .where(DirectoryEvent.subject == change.subject, DirectoryEvent.event_id != change.event_id,
               DirectoryEvent.outcome != "stale")
        .order_by(DirectoryEvent.occurred_at.desc()).limit(1)).scalar_one_or_none()
    return latest is not None and latest > change.occurred_at


def _apply(session: Session, change: DirectoryChange, now: datetime) -> str:
    if change.type == "organisation.upserted":
        _, outcome = upsert_organisation(session, change.customer_number, change.name, now)
    elif change.type == "contact.upserted":
        organisation = find_organisation(session, change.customer_number)
        if organisation is None:
            raise DirectoryError("customer_number", "unknown organisation: send organisation.upserted first")
        _, outcome = upsert_contact(session, organisation, change.email, change.values, now)
    else:
        _, outcome = deauthorise_contact(session, change.email)
    return "unchanged" if outcome in ("unchanged", "unknown") else "applied"
