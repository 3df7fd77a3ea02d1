"""The inquiry notice's buttons: "Open as ticket anyway" and "Dismiss"; the agent is told the outcome."""

from __future__ import annotations

import asyncio

from bot.slack.ids import INQUIRY_DISMISS, INQUIRY_OPEN, parse_inquiry_value
from bot.slack.listeners.clicks import channel_of, clicked_value, user_of
from bot.slack.listeners.notices import build_notice, build_outcome, tell
from bot.slack.listeners.prologue import begin, ephemeral

DISMISSED = "Dismissed; the portal answer stands."


async def inquiry_button_clicked(ack, body, client, services, action) -> None:
    """Open the inquiry as a ticket (receipt mail, card) or dismiss it."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body),
                        parse_inquiry_value)
    if begun is None:
        return
    handle = services.desk.open_inquiry if action["action_id"] == INQUIRY_OPEN else services.desk.dismiss_inquiry
    result = await asyncio.to_thread(handle, begun.value, begun.agent.id)
    await tell(client, channel, user, build_outcome(result) or build_notice(DISMISSED, "🗑️"))


LISTENERS = (
    ("action", INQUIRY_OPEN, inquiry_button_clicked),
    ("action", INQUIRY_DISMISS, inquiry_button_clicked),
)
