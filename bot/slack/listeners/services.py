"""What the listeners use, handed to each of them by Bolt as the ``services`` argument."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.slack.listeners.agents import AgentDirectory
from bot.rendering.canned import CannedReplies
from bot.desk.staff_actions import Desk


@dataclass(frozen=True)
class ListenerServices:
    """The desk's actions, read access, the agent directory and the canned replies."""

    settings: Settings
    desk: Desk
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime]
    agents: AgentDirectory
    canned: CannedReplies

    async def provide(self, context, next) -> None:  # noqa: A002 - Bolt injects middleware arguments by name
        """Global Bolt middleware: listeners that name a ``services`` argument receive this object."""
        context["services"] = self
        await next()
