"""The delivery contract between the outbox worker and the deliverers.

A deliverer is a callable for one outbox kind; it raises :class:`RetryLater`
or :class:`GiveUp`, and the worker (bot/jobs/outbox_worker.py) settles the row
by :class:`RetryPolicy`. Each deliverer class declares its ``KINDS`` (kind →
method name) and :func:`by_kind` builds the worker's map from them, so the
kinds a process delivers are never listed a second time.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from storage.models import OutboxRow


class RetryLater(Exception):
    """A temporary delivery failure: try the row again later (``after`` seconds, when the far side said so)."""

    def __init__(self, message: str, after: float | None = None):
        super().__init__(message)
        self.after = after


class GiveUp(Exception):
    """A permanent delivery failure: never retry this row."""


class Deliverer(Protocol):
    """Delivers one row's payload; returns a JSON-able result; raises RetryLater or GiveUp."""

    def __call__(self, row: OutboxRow, session: Session) -> dict | None: ...


class DelivererObject(Protocol):
    """An object with one method per outbox kind it delivers: ``KINDS`` maps each kind to its method's name."""

    KINDS: Mapping[str, str]


def by_kind(*objects: DelivererObject) -> dict[str, Deliverer]:
    """The worker's map, kind → bound method, from the objects' ``KINDS``; a kind claimed twice is a wiring bug."""
    deliverers: dict[str, Deliverer] = {}
    for obj in objects:
        for kind, method in obj.KINDS.items():
            if kind in deliverers:
                raise ValueError(f"outbox kind {kind!r} has two deliverers")
            deliverers[kind] = getattr(obj, method)
    return deliverers


@dataclass(frozen=True)
class RetryPolicy:
    """How long a failed row waits: exponential backoff with full jitter, for at most ``horizon_s``."""

    base_s: float = 30.0
    max_s: float = 3600.0
    horizon_s: float = 2 * 86400.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return next_retry_delay(attempt, self.base_s, self.max_s, rng)


def next_retry_delay(attempt: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    Full jitter (uniform between 0 and the capped exponential step) spreads
    the retries of many messages that failed together, e.g. when the relay
    came back after an outage, instead of sending them in waves.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base_s <= 0 or max_s <= 0:
        raise ValueError("base_s and max_s must be positive")
    # Cap the exponent so that a very high attempt count cannot overflow.
    ceiling = min(max_s, base_s * 2.0 ** min(attempt - 1, 64))
    return rng.uniform(0.0, ceiling)
