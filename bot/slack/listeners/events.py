"""Slack redelivers events it thinks we missed (and Bolt does not deduplicate): each is handled once.

The key goes into ``seen_events`` in its own short transaction before the work
starts (``ChatDesk.first_delivery``), so two deliveries racing on two replicas
still yield one winner. The price is at-most-once: if the work then fails, a
retry of the same event is skipped — for a reaction that is a lost click,
never a double action.
"""

from __future__ import annotations

import asyncio
from typing import Any


def event_key(body: dict[str, Any]) -> str | None:
    """``event:<event_id>`` for an Events API envelope (HTTP and Socket Mode alike); None without one."""
    event_id = body.get("event_id")
    return f"event:{event_id}" if isinstance(event_id, str) and event_id else None


async def first_delivery(services, body: dict[str, Any]) -> bool:
    """True the first time this event is seen (or when it carries no id); False for a redelivery."""
    key = event_key(body)
    if key is None:
        return True
    return await asyncio.to_thread(services.chat.first_delivery, key)
