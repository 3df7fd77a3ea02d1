"""Reactions on a card: 👀 claims the ticket, ✅ asks "close it?" (one click more, since the customer is mailed).

The card is found by (channel, ts) of the message reacted to; reactions on
anything else are ignored. Each event is handled once, however often Slack
delivers it.
"""

from __future__ import annotations

import asyncio

from bot.slack.listeners.agents import AgentRef
from bot.slack.listeners.events import first_delivery
from bot.desk.reads import TicketRef
from bot.slack.listeners.notices import build_close_confirmation, build_notice, build_outcome, tell
from bot.slack.listeners.prologue import begin, ephemeral

CLAIM_REACTION, CLOSE_REACTION = "eyes", "white_check_mark"


async def reaction_added(ack, body, event, client, services) -> None:
    """👀 or ✅ on a ticket's card by an agent."""
    await ack()  # already acknowledged by Bolt for events; kept so every listener reads the same
    item = event.get("item") or {}
    if event.get("reaction") not in REACTIONS or item.get("type") != "message":
        return
    if not await first_delivery(services, body):
        return
    ticket = await asyncio.to_thread(services.reads.ticket_by_card, item.get("channel", ""), item.get("ts", ""))
    if ticket is None:
        return
    user, channel = event.get("user", ""), item["channel"]
    begun = await begin(services, client, user, ephemeral(client, channel, user))
    if begun is not None:
        await REACTIONS[event["reaction"]](client, services, begun.agent, ticket, channel)


async def _claim(client, services, agent: AgentRef, ticket: TicketRef, channel: str) -> None:
    # A reaction is "claim it now", not a click on a card drawn earlier: it claims
    # the ticket as just read, so only a close in between (or a holder) refuses it.
    result = await asyncio.to_thread(services.desk.claim, ticket.id, agent.id, ticket.seen)
    await tell(client, channel, agent.slack_user_id, build_outcome(result))


async def _confirm_close(client, services, agent: AgentRef, ticket: TicketRef, channel: str) -> None:
    if ticket.closed:
        message = build_notice(f"{ticket.reference} is already closed.")
    else:
        message = build_close_confirmation(ticket.id, ticket.seen, ticket.reference, ticket.subject)
    await tell(client, channel, agent.slack_user_id, message)


REACTIONS = {CLAIM_REACTION: _claim, CLOSE_REACTION: _confirm_close}

LISTENERS = (("event", "reaction_added", reaction_added),)
