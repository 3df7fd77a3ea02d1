"""Every agent-facing listener starts the same way: who acts, what the control carried, one refusal if not.

:func:`begin` resolves the acting agent through the agent directory (its cache,
then users.info with the bot and deleted-user checks), parses the clicked value
when there is one, and on failure answers with exactly one message through the
listener's own way of answering (:data:`Refuse`): an ephemeral in the channel,
the slash command's ``respond``, or the App Home tab. Nothing is read or
changed for someone who is not an agent, and their click is not even parsed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.slack.blocks.card import build_refusal
from bot.slack.listeners.agents import ONLY_AGENTS, WHO_ARE_YOU_FAILED, AgentLookupFailed, AgentRef
from bot.slack.listeners.notices import NOT_UNDERSTOOD, tell

log = logging.getLogger("supportbot.slack")

T = TypeVar("T")
Refuse = Callable[[dict[str, Any]], Awaitable[None]]  # sends one message built by build_refusal


@dataclass(frozen=True)
class Begun(Generic[T]):
    """The acting agent and what their control carried (None when the listener parses nothing)."""

    agent: AgentRef
    value: T


def ephemeral(client, channel: str | None, user: str, thread_ts: str | None = None) -> Refuse:
    """Refuse with an ephemeral to ``user`` in ``channel`` (in a thread when given)."""
    async def refuse(message: dict[str, Any]) -> None:
        await tell(client, channel, user, message, thread_ts)
    return refuse


async def begin(services, client, user: str, refuse: Refuse, value: str | None = None,
                parse: Callable[[str], T] | None = None) -> Begun[T] | None:
    """The agent behind ``user`` and ``parse(value)``; None after refusing once (not an agent, or unreadable)."""
    try:
        agent = await services.agents.resolve(client, user)
    except AgentLookupFailed as exc:
        log.warning("users.info for %s failed (%s); refusing for now", user, exc)
        await refuse(build_refusal(WHO_ARE_YOU_FAILED))
        return None
    if agent is None:
        log.info("refused Slack user %s: not an agent", user)
        await refuse(build_refusal(ONLY_AGENTS))
        return None
    if parse is None:
        return Begun(agent, None)
    try:
        parsed = parse(value or "")
    except ValueError:
        log.warning("unreadable value from %s: %r", user, (value or "")[:100])
        await refuse(build_refusal(NOT_UNDERSTOOD))
        return None
    return Begun(agent, parsed)
