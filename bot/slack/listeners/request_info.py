""""Request info…": a small modal asking what the customer should send; the Desk mails the request."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.stale_clicks import Seen
from bot.slack.text import fit
from bot.slack.ids import REQUEST_INFO, REQUEST_INFO_MODAL, REQUEST_INFO_NEEDED, parse_ticket_value, ticket_value
from bot.slack.listeners.clicks import card_click, feedback_channel, user_of
from bot.slack.listeners.notices import build_submitted, tell
from bot.slack.listeners.prologue import begin, ephemeral

EMPTY = "Say what the customer should send."


def build_request_info_modal(ticket_id: int, seen: Seen, reference: str) -> dict[str, Any]:
    """The modal for views.open; ``private_metadata`` carries the ticket as ``seen`` when the modal opened."""
    return {
        "type": "modal",
        "callback_id": REQUEST_INFO_MODAL,
        "private_metadata": ticket_value(ticket_id, seen),
        "title": _plain("Request information"),
        "submit": _plain("Send"),
        "close": _plain("Cancel"),
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                f"Asks the customer of *{fit(reference, 300)}* by e-mail; the ticket then waits on the customer.")}]},
            {"type": "input", "block_id": REQUEST_INFO_NEEDED, "label": _plain("What do you need from the customer?"),
             "element": {"type": "plain_text_input", "action_id": REQUEST_INFO_NEEDED, "multiline": True, "max_length": 3000}},
        ],
    }


def needed_text(view: dict[str, Any]) -> str:
    return (((view.get("state") or {}).get("values") or {}).get(REQUEST_INFO_NEEDED) or {}).get(REQUEST_INFO_NEEDED, {}).get("value") or ""


async def request_info_clicked(ack, body, client, services) -> None:
    """"Request info" on a card: open the modal."""
    await ack()
    target = await card_click(body, client, services)
    if target is not None:
        _agent, _value, ticket = target
        await client.views_open(trigger_id=body["trigger_id"],
                                view=build_request_info_modal(ticket.id, ticket.seen, ticket.reference))


async def request_info_submitted(ack, body, client, services, view) -> None:
    """Send: an empty text keeps the modal open; otherwise the Desk queues the request mail."""
    needed = needed_text(view)
    if not needed.strip():
        await ack(response_action="errors", errors={REQUEST_INFO_NEEDED: EMPTY})
        return
    await ack()
    try:
        value = parse_ticket_value(view.get("private_metadata") or "")
    except ValueError:
        return
    user = user_of(body)
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, value.ticket_id)
    channel = feedback_channel(services, ticket)
    begun = await begin(services, client, user, ephemeral(client, channel, user))
    if begun is None or ticket is None:
        return
    result = await asyncio.to_thread(services.desk.request_information, ticket.id, begun.agent.id, value.seen,
                                     needed.strip())
    done = f"Asked the customer of {ticket.reference} for information."
    await tell(client, channel, user, build_submitted(result, needed, done, "❓"))


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


LISTENERS = (
    ("action", REQUEST_INFO, request_info_clicked),
    ("view", REQUEST_INFO_MODAL, request_info_submitted),
)
