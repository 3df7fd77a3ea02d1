"""The inquiry notice's buttons: "Open as ticket anyway" and "Dismiss"; the agent is told the outcome."""

from __future__ import annotations

import asyncio

from bot.slack.ids import INQUIRY_DISMISS, INQUIRY_OPEN, parse_inquiry_value
from bot.slack.listeners.agents import acting_agent
from bot.slack.listeners.clicks import channel_of, clicked_value, user_of
from bot.slack.listeners.notices import NOT_UNDERSTOOD, build_notice, build_outcome, build_refusal, tell

DISMISSED = "Dismissed; the portal answer stands."


async def inquiry_button_clicked(ack, body, client, services, action) -> None:
    """Open the inquiry as a ticket (receipt mail, card) or dismiss it."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    agent = await acting_agent(services, client, user, channel)
    if agent is None:
        return
    try:
        inquiry_id = parse_inquiry_value(clicked_value(body))
    except ValueError:
        await tell(client, channel, user, build_refusal(NOT_UNDERSTOOD))
        return
    handle = services.desk.open_inquiry if action["action_id"] == INQUIRY_OPEN else services.desk.dismiss_inquiry
    result = await asyncio.to_thread(handle, inquiry_id, agent.id)
    await tell(client, channel, user, build_outcome(result) or build_notice(DISMISSED, "🗑️"))


LISTENERS = (
    ("action", INQUIRY_OPEN, inquiry_button_clicked),
    ("action", INQUIRY_DISMISS, inquiry_button_clicked),
)
