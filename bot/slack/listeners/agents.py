"""Who may act: Slack users map to agents by e-mail; everyone else is refused and nothing changes.

Resolution: an in-process cache (with a TTL, so a deactivated agent or a newly
added one is noticed within minutes) → the agent already linked to the Slack
user → the e-mail address in the user's Slack profile (``users.info``, scope
``users:read.email``) matched against the active agents, and then linked via
``Desk.link_agent`` so the next process finds it in the database. Bots and
deleted users are never agents.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from bot.desk.staff_actions import Desk

log = logging.getLogger("supportbot.slack")

DEFAULT_TTL_S = 300.0
ONLY_AGENTS = "Only support agents can do that. If you are one, ask the operator to add your Slack e-mail address."
WHO_ARE_YOU_FAILED = "Slack could not tell us who you are just now; nothing was changed. Please try again."


@dataclass(frozen=True)
class AgentRef:
    """The acting agent, as plain data (no database session attached)."""

    id: int
    email: str
    name: str
    slack_user_id: str

    @property
    def display_name(self) -> str:
        return self.name or self.email


class AgentLookupFailed(Exception):
    """users.info failed; the user is neither accepted nor refused."""


class AgentDirectory:
    """Slack user id → :class:`AgentRef` or None; see the module docstring."""

    def __init__(self, desk: Desk, *, ttl_s: float = DEFAULT_TTL_S, monotonic: Callable[[], float] = time.monotonic):
        self._desk = desk
        self._ttl_s = ttl_s
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, AgentRef | None]] = {}

    async def resolve(self, client, user_id: str) -> AgentRef | None:
        """The active agent behind ``user_id``; AgentLookupFailed when Slack could not say."""
        hit = self._cache.get(user_id)
        if hit is not None and hit[0] > self._monotonic():
            return hit[1]
        agent = await asyncio.to_thread(self._desk.agent_by_slack_user, user_id)
        if agent is None:
            email = await self._profile_email(client, user_id)
            agent = await asyncio.to_thread(self._desk.link_agent, user_id, email) if email else None
            if agent is not None:
                log.info("linked Slack user %s to agent %s", user_id, agent.email)
        ref = AgentRef(agent.id, agent.email, agent.name or "", user_id) if agent is not None else None
        self._cache[user_id] = (self._monotonic() + self._ttl_s, ref)
        return ref

    def forget(self, user_id: str) -> None:
        """Drop one cached answer (e.g. after the operator changed the agents)."""
        self._cache.pop(user_id, None)

    async def _profile_email(self, client, user_id: str) -> str | None:
        try:
            response = await client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") == "user_not_found":
                return None
            raise AgentLookupFailed(str(exc.response.get("error"))) from exc
        except (ClientError, TimeoutError) as exc:  # after the client's own retries
            raise AgentLookupFailed(repr(exc)) from exc
        user = response.get("user") or {}
        if user.get("is_bot") or user.get("deleted"):
            return None
        return (user.get("profile") or {}).get("email") or None

