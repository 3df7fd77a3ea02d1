"""The card's "⋯" menu: Log call, and Priority and status — each a modal, then one Desk call per change.

Closing from here, or from an old card's Status select, never closes at once:
it answers with the same confirmation the ✅ reaction gets, whose button closes.
"""

from __future__ import annotations

import asyncio
import logging

from bot.domain.stale_clicks import stale_field
from bot.slack.blocks.card_more import (
    CARD_MORE,
    LOG_CALL,
    LOG_CALL_MODAL,
    SUMMARY,
    TRIAGE,
    TRIAGE_MODAL,
    WHOM,
    OUTCOME,
    build_log_call_modal,
    build_triage_modal,
    parse_call,
    parse_triage,
)
from bot.slack.listeners.clicks import card_click, feedback_channel, user_of
from bot.slack.listeners.notices import build_close_confirmation, build_outcome, build_refusal, tell
from bot.slack.ids import parse_ticket_value
from bot.slack.listeners.prologue import begin, ephemeral

log = logging.getLogger("supportbot.slack")

PROBLEM_BLOCKS = {"Say who you spoke with.": WHOM, "Summarise the call.": SUMMARY}


async def card_more_chosen(ack, body, client, services) -> None:
    """An option of the card's overflow: open its modal."""
    await ack()
    target = await card_click(body, client, services)
    if target is None:
        return
    _agent, value, ticket = target
    if value.choice == LOG_CALL:
        view = build_log_call_modal(ticket.id, ticket.seen, ticket.reference, ticket.contact_first_name)
    elif value.choice == TRIAGE:
        view = build_triage_modal(ticket.id, ticket.seen, ticket.reference)
    else:
        return
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def call_submitted(ack, body, client, services, view) -> None:
    """Log: a missing field keeps the modal open; otherwise the Desk records the call."""
    call = parse_call(view)
    problem = call.problem()
    if problem:
        await ack(response_action="errors", errors={PROBLEM_BLOCKS.get(problem, OUTCOME): problem})
        return
    await ack()
    found = await _submitter(body, client, services, view)
    if found is not None:
        agent, value, channel = found
        result = await asyncio.to_thread(services.desk.log_call, value.ticket_id, agent.id, value.seen, call)
        await tell(client, channel, agent.slack_user_id, build_outcome(result))


async def triage_submitted(ack, body, client, services, view) -> None:
    """Save: a changed status is set (Closed asks to confirm), then a changed priority."""
    await ack()
    found = await _submitter(body, client, services, view)
    if found is None:
        return
    agent, value, channel = found
    priority, status = parse_triage(view)
    # Status first: setting a priority is handling, which moves a new case to open — a status the
    # agent did not see, so a status change after it would be refused as out of date.
    if status and status != value.seen.status:
        await change_status(client, services, agent, value, status, channel)
    if priority and priority != value.seen.priority:
        result = await asyncio.to_thread(services.desk.set_priority, value.ticket_id, agent.id, value.seen, priority)
        await tell(client, channel, agent.slack_user_id, build_outcome(result))


async def change_status(client, services, agent, value, status: str, channel: str | None) -> None:
    """Set ``status``; Closed only through the confirmation (as the ✅ reaction asks). A choice made on
    an out-of-date card goes to the Desk, which refuses it, changes nothing and refreshes the card."""
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, value.ticket_id) if status == "closed" else None
    if ticket is not None and not stale_field("set_status", value.seen, ticket.seen):
        # The confirmation carries what the agent saw: a change before its button is clicked refuses it.
        message = build_close_confirmation(ticket.id, value.seen, ticket.reference, ticket.subject)
        await tell(client, channel, agent.slack_user_id, message)
        return
    result = await asyncio.to_thread(services.desk.set_status, value.ticket_id, agent.id, value.seen, status)
    await tell(client, channel, agent.slack_user_id, build_outcome(result))


async def _submitter(body, client, services, view):
    """The agent, the ticket value from the modal's metadata and where to answer; None after telling why not."""
    try:
        value = parse_ticket_value(view.get("private_metadata") or "")
    except ValueError:
        log.warning("%s submitted without ticket metadata", view.get("callback_id"))
        return None
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, value.ticket_id)
    channel = feedback_channel(services, ticket)
    begun = await begin(services, client, user_of(body), ephemeral(client, channel, user_of(body)))
    if begun is None:
        return None
    agent = begun.agent
    if ticket is None:
        await tell(client, channel, agent.slack_user_id, build_refusal("This ticket no longer exists."))
        return None
    return agent, value, channel


LISTENERS = (
    ("action", CARD_MORE, card_more_chosen),
    ("view", LOG_CALL_MODAL, call_submitted),
    ("view", TRIAGE_MODAL, triage_submitted),
)
