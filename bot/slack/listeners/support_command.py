"""``/support``: a ticket's summary, my tickets, who is on call, a ticket for a customer, linking a customer channel.

Agents only: anyone else is told so and nothing is read or changed. Answers
are ephemeral (``respond`` through the command's response_url, so they work
in any channel, the bot a member or not). ``/support TC-2026-00042`` shows
the ticket's card with its buttons, which work there as on the card. ``new``
opens a form; its ticket, receipt and card go through the outbox like every
other change. ``link-channel ORG`` makes the channel it is used in a customer
channel of organisation number ORG (stored in ``customer_channels``; it wins
over ``slack.customer_channels`` in the configuration). An unknown
subcommand gets the help text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.domain.mail.subjects import find_reference
from bot.slack.blocks.card import build_card, build_refusal
from bot.slack.blocks.search import SEARCH_ROWS, build_search_results
from bot.slack.ids import NEW_CONTACT, NEW_PRIORITY, NEW_SUBJECT, NEW_TICKET_MODAL, SUPPORT_COMMAND
from bot.slack.blocks.home import (
    MESSAGE_ROWS,
    NewTicketForm,
    build_help,
    build_new_ticket_modal,
    build_oncall,
    build_ticket_list,
    parse_new_ticket,
)
from bot.slack.listeners.agents import AgentRef
from bot.slack.listeners.clicks import user_of
from bot.slack.listeners.home import permalinks
from bot.slack.listeners.notices import build_notice, tell
from bot.slack.listeners.prologue import begin, ephemeral
from bot.desk.card_view import PRIORITIES

NO_CONTACT = "No registered contact has this address."
NOT_AUTHORISED = "This contact may not open cases (not authorised)."


async def support_command(ack, command, client, services, respond) -> None:
    """Dispatch ``/support <subcommand>``."""
    await ack()
    begun = await begin(services, client, command.get("user_id", ""), lambda message: _say(respond, message))
    if begun is None:
        return
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    prefix = services.settings.desk.reference_prefix
    reference = find_reference(word, prefix) if word else None
    if reference:
        await _summary(services, respond, reference)
    elif word.lower() in SUBCOMMANDS:
        await SUBCOMMANDS[word.lower()](services, client, respond, begun.agent, command, rest.strip())
    else:
        await _say(respond, build_help(prefix, f"“{word}” is not something /support knows." if word else None))


# -- subcommands ----------------------------------------------------------------------------


async def _summary(services, respond, reference: str) -> None:
    view = await asyncio.to_thread(services.reads.card, reference)
    if view is None:
        await _say(respond, build_refusal(f"There is no ticket {reference}."))
        return
    card = build_card(view)
    await _say(respond, {"text": card["text"], "blocks": card["blocks"]})


async def _mine(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    listing = await asyncio.to_thread(services.reads.open_tickets_of, agent.id, MESSAGE_ROWS)
    links = await permalinks(client, {row.card for row in listing.rows if row.card})
    await _say(respond, build_ticket_list("🙋 Your open tickets", listing, links))


async def _oncall(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    local = services.reads.now_local()
    oncall = await asyncio.to_thread(services.reads.on_call)
    await _say(respond, build_oncall(oncall, f"now ({local:%H:%M})"))


async def _new(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    await client.views_open(trigger_id=command["trigger_id"], view=build_new_ticket_modal(command.get("channel_id", "")))


async def _link_channel(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    if not rest:
        await _say(respond, build_help(services.settings.desk.reference_prefix,
                                       "Say which organisation: /support link-channel ORG (its customer number)."))
        return
    ok, text = await asyncio.to_thread(services.chat.link_channel, command.get("channel_id", ""), rest.split()[0],
                                       agent.id)
    await _say(respond, build_notice(text, "🔗") if ok else build_refusal(text))


async def _search(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    if not rest:
        await _say(respond, build_help(services.settings.desk.reference_prefix, "Say what to look for: /support search WORDS."))
        return
    found = await asyncio.to_thread(services.reads.search, rest, SEARCH_ROWS)
    await _say(respond, build_search_results(rest, found.cases, found.card_links))


async def _help(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    await _say(respond, build_help(services.settings.desk.reference_prefix))


SUBCOMMANDS = {"mine": _mine, "search": _search, "oncall": _oncall, "new": _new, "link-channel": _link_channel, "help": _help}


# -- the new-ticket form ---------------------------------------------------------------------


async def new_ticket_submitted(ack, body, client, services, view) -> None:
    """The form: wrong fields keep it open with their errors; otherwise the ticket is opened."""
    form = parse_new_ticket(view)
    standing = await asyncio.to_thread(services.reads.contact_standing, form.contact_email)
    errors = _form_errors(form, standing)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    user = user_of(body)
    channel = form.channel or services.settings.slack.staff_channel or None
    begun = await begin(services, client, user, ephemeral(client, channel, user))
    if begun is None:
        return
    reference = await asyncio.to_thread(services.chat.open_on_behalf, begun.agent.id, form.contact_email, form.subject,
                                        form.description, form.priority)
    done = f"Opened {reference} for {form.contact_email}: the receipt goes by e-mail and the card is on its way."
    await tell(client, channel, user, build_notice(done, "📞"))


def _form_errors(form: NewTicketForm, standing: str | None) -> dict[str, str]:
    errors = {}
    if standing == "unknown":
        errors[NEW_CONTACT] = NO_CONTACT
    elif standing == "not_authorised":
        errors[NEW_CONTACT] = NOT_AUTHORISED
    if not form.subject:
        errors[NEW_SUBJECT] = "Write a subject."
    if form.priority not in PRIORITIES:
        errors[NEW_PRIORITY] = "Choose a priority."
    return errors


# -- helpers -----------------------------------------------------------------------------------


async def _say(respond, message: dict[str, Any]) -> None:
    """An ephemeral answer to the command (never unfurled, never with link_names)."""
    await respond(response_type="ephemeral", unfurl_links=False, unfurl_media=False,
                  text=message["text"], blocks=message.get("blocks"))


LISTENERS = (
    ("command", SUPPORT_COMMAND, support_command),
    ("view", NEW_TICKET_MODAL, new_ticket_submitted),
)
