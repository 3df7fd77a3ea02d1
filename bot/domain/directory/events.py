"""A portal directory event once checked (bot/web/portal/directory_schema.py checks them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

EVENT_TYPES = ("organisation.upserted", "contact.upserted", "contact.deactivated")


@dataclass(frozen=True)
class DirectoryChange:
    """One checked event: what it names and, for a contact, the columns it sets."""

    event_id: str
    type: str
    occurred_at: datetime
    customer_number: str | None = None
    name: str | None = None
    email: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        """What the event changes, for ordering: ``organisation:1001`` or ``contact:asa@kund.se``."""
        return f"organisation:{self.customer_number}" if self.type == "organisation.upserted" \
            else f"contact:{self.email}"
