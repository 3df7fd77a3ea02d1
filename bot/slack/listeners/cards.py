"""The card's buttons and selects, and the close confirmation: each one Desk call.

The value a control carries names the ticket and what the card showed of it;
the Desk refuses a click whose action conflicts with a change made since (and
refreshes the card; bot/domain/stale_clicks.py), and claiming is its
compare-and-set, so of two agents clicking at once one wins and the other is
told who holds the ticket. Success needs no message: the card update and the
audit line in its thread come through the outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.slack.ids import CLAIM, CLOSE_CONFIRM, ESCALATE, PRIORITY, STATUS, UNASSIGN, parse_ticket_value
from bot.slack.listeners.card_more import change_status
from bot.slack.listeners.clicks import channel_of, clicked_value, user_of
from bot.slack.listeners.notices import build_notice, build_outcome, tell
from bot.slack.listeners.prologue import begin, ephemeral


def _nothing(choice: str | None) -> tuple:
    return ()


def _line(choice: str | None) -> tuple:
    return (int(choice or ""),)


def _chosen(choice: str | None) -> tuple:
    if not choice:
        raise ValueError("no option chosen")
    return (choice,)


# action_id → (Desk method, the extra arguments from the chosen option)
CARD_ACTIONS: dict[str, tuple[str, Callable[[str | None], tuple]]] = {
    CLAIM: ("claim", _nothing),
    UNASSIGN: ("unassign", _nothing),
    ESCALATE: ("escalate", _line),
    PRIORITY: ("set_priority", _chosen),
    STATUS: ("set_status", _chosen),
}


async def card_control_used(ack, body, client, services, action) -> None:
    """A button or select on a card: the Desk method for its action_id."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    method, extra = CARD_ACTIONS[action["action_id"]]

    def parse(raw: str) -> tuple:
        value = parse_ticket_value(raw)
        return value.ticket_id, value.seen, extra(value.choice)

    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body), parse)
    if begun is None:
        return
    ticket_id, seen, chosen = begun.value
    if action["action_id"] == STATUS and chosen == ("closed",):  # cards posted before the ⋯ menu
        await change_status(client, services, begun.agent, parse_ticket_value(clicked_value(body)), "closed", channel)
        return
    result = await asyncio.to_thread(getattr(services.desk, method), ticket_id, begun.agent.id, seen, *chosen)
    await tell(client, channel, user, build_outcome(result))


async def close_confirmed(ack, body, client, services, respond) -> None:
    """The button on the ✅ confirmation: close the ticket, then replace the confirmation with the outcome."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body),
                        parse_ticket_value)
    if begun is None:
        return
    value = begun.value
    result = await asyncio.to_thread(services.desk.set_status, value.ticket_id, begun.agent.id, value.seen, "closed")
    message = build_outcome(result) or build_notice("Closed; the customer gets the closing mail.", "🔒")
    if respond is not None and body.get("response_url"):
        await respond(replace_original=True, **message)  # the confirmation button must not linger
    else:
        await tell(client, channel, user, message)


LISTENERS = (
    *(("action", action_id, card_control_used) for action_id in CARD_ACTIONS),
    ("action", CLOSE_CONFIRM, close_confirmed),
)
