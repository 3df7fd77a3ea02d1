"""What a click carried, and the checks every "open a modal for this card" click makes."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.slack.ids import ActionValue, parse_ticket_value
from bot.slack.listeners.agents import AgentRef
from bot.desk.reads import TicketRef
from bot.slack.listeners.notices import build_refusal, tell
from bot.slack.listeners.prologue import begin, ephemeral

GONE = "This ticket no longer exists."


def user_of(body: dict[str, Any]) -> str:
    return (body.get("user") or {}).get("id", "")


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel of the message clicked (block actions and message shortcuts); None inside a modal."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def clicked_value(body: dict[str, Any]) -> str:
    """A button's value or a select's chosen option value."""
    action = (body.get("actions") or [{}])[0]
    return action.get("value") or (action.get("selected_option") or {}).get("value") or ""


def feedback_channel(services, ticket: TicketRef | None) -> str | None:
    """Where to tell someone about a modal they submitted: the card's channel, else the staff channel."""
    return (ticket.slack_channel if ticket else None) or services.settings.slack.staff_channel or None


async def card_click(body: dict[str, Any], client, services) -> tuple[AgentRef, ActionValue, TicketRef] | None:
    """The agent, the click and the ticket for a card button that opens a modal; None after telling why not.

    Opening a form rests on nothing but the ticket being open: the form carries
    the ticket as it is now (``ticket.seen``), so a card that lags behind a
    customer's reply still opens it, and the Desk checks for conflicts on submit.
    """
    user, channel = user_of(body), channel_of(body)
    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body),
                        parse_ticket_value)
    if begun is None:
        return None
    agent, value = begun.agent, begun.value
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, value.ticket_id)
    if ticket is None:
        await tell(client, channel, user, build_refusal(GONE))
        return None
    if ticket.closed:
        await tell(client, channel, user, build_refusal(f"{ticket.reference} is closed."))
        return None
    return agent, value, ticket
