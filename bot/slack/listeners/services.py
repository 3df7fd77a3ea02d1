"""What the listeners use, handed to each of them by Bolt as the ``services`` argument."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.config import Settings
from bot.desk.chat_desk import ChatDesk
from bot.desk.reads import DeskReads
from bot.desk.sla_actions import SlaDesk
from bot.desk.staff_actions import Desk
from bot.intake.slack_runner import SlackIntake
from bot.rendering.canned import CannedReplies
from bot.slack.listeners.agents import AgentDirectory


@dataclass(frozen=True)
class ListenerServices:
    """The desk's actions and reads, the agent directory, the canned replies and the customer-channel intake.

    No database session: the listeners read through ``reads`` and write
    through ``desk``, ``sla`` and ``chat``, one call each.
    """

    settings: Settings
    desk: Desk
    sla: SlaDesk
    chat: ChatDesk
    reads: DeskReads
    intake: SlackIntake
    agents: AgentDirectory
    canned: CannedReplies

    async def provide(self, context, next) -> None:  # noqa: A002 - Bolt injects middleware arguments by name
        """Global Bolt middleware: listeners that name a ``services`` argument receive this object."""
        context["services"] = self
        await next()
