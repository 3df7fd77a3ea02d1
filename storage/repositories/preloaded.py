"""Lookups preloaded for one intake batch, kept in ``Session.info`` until the batch ends.

Intake reads a batch's senders, stored Message-IDs and last autoreplies in one
query each (bot/intake/mail_runner.py); the repositories answer from here first. One key
holds them all, so a rollback (whose objects are expired and whose writes are
undone) drops every one with one ``forget``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

_KEY = "preloaded"


def put(session: Session, name: str, values: dict[Any, Any]) -> None:
    """Keep ``values`` under ``name`` for the rest of this session's batch."""
    session.info.setdefault(_KEY, {})[name] = values


def get(session: Session, name: str) -> dict[Any, Any] | None:
    """What ``put`` kept under ``name``, or None (then the caller asks the database)."""
    return session.info.get(_KEY, {}).get(name)


def forget(session: Session) -> None:
    """Drop everything preloaded (after a rollback)."""
    session.info.pop(_KEY, None)
