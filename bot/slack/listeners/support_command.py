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
from datetime import datetime
from typing import Any

from sqlalchemy import select

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
from bot.slack.listeners.agents import ONLY_AGENTS, WHO_ARE_YOU_FAILED, AgentLookupFailed, AgentRef, acting_agent
from bot.slack.listeners.clicks import user_of
from bot.slack.listeners.home import oncall_now, permalinks, ticket_listing
from bot.slack.listeners.notices import build_notice, tell
from bot.intake.slack_runner import for_listeners
from bot.desk.card_view import card_view
from bot.desk.memory_listing import search_tickets
from bot.desk.staff_case import open_on_behalf
from storage.models import Agent, CustomerChannel, Organisation, Ticket
from storage.models.tickets import PRIORITIES
from storage.repositories import directory, tickets
from storage.repositories.upsert import insert_ignoring_conflict

NO_CONTACT = "No registered contact has this address."
NOT_AUTHORISED = "This contact may not open cases (not authorised)."


async def support_command(ack, command, client, services, respond) -> None:
    """Dispatch ``/support <subcommand>``."""
    await ack()
    agent = await _agent(services, client, command.get("user_id", ""), respond)
    if agent is None:
        return
    word, _, rest = (command.get("text") or "").strip().partition(" ")
    prefix = services.settings.desk.reference_prefix
    reference = find_reference(word, prefix) if word else None
    if reference:
        await _summary(services, respond, reference)
    elif word.lower() in SUBCOMMANDS:
        await SUBCOMMANDS[word.lower()](services, client, respond, agent, command, rest.strip())
    else:
        await _say(respond, build_help(prefix, f"“{word}” is not something /support knows." if word else None))


# -- subcommands ----------------------------------------------------------------------------


async def _summary(services, respond, reference: str) -> None:
    message = await asyncio.to_thread(_read_card, services, reference, services.clock())
    await _say(respond, message or build_refusal(f"There is no ticket {reference}."))


async def _mine(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    mine = (Ticket.status != "closed") & (Ticket.assignee_id == agent.id)
    listing = await asyncio.to_thread(_read, services, lambda session, calendar, now: ticket_listing(
        session, calendar, now, mine, limit=MESSAGE_ROWS))
    links = await permalinks(client, {row.card for row in listing.rows if row.card})
    await _say(respond, build_ticket_list("🙋 Your open tickets", listing, links))


async def _oncall(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    now = services.clock()
    oncall = await asyncio.to_thread(_read, services, lambda session, calendar, at: oncall_now(
        session, services.settings, calendar, at), now)
    local = now.astimezone(for_listeners(services).calendar.tz)
    await _say(respond, build_oncall(oncall, f"now ({local:%H:%M})"))


async def _new(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    await client.views_open(trigger_id=command["trigger_id"], view=build_new_ticket_modal(command.get("channel_id", "")))


async def _link_channel(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    if not rest:
        await _say(respond, build_help(services.settings.desk.reference_prefix,
                                       "Say which organisation: /support link-channel ORG (its customer number)."))
        return
    ok, text = await asyncio.to_thread(_link, services, command.get("channel_id", ""), rest.split()[0], agent.id)
    await _say(respond, build_notice(text, "🔗") if ok else build_refusal(text))


async def _search(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    if not rest:
        await _say(respond, build_help(services.settings.desk.reference_prefix, "Say what to look for: /support search WORDS."))
        return
    found = await asyncio.to_thread(_read, services, lambda session, calendar, now: search_tickets(
        session, rest, limit=SEARCH_ROWS))
    await _say(respond, build_search_results(rest, found.cases, found.card_links))


async def _help(services, client, respond, agent: AgentRef, command, rest: str) -> None:
    await _say(respond, build_help(services.settings.desk.reference_prefix))


SUBCOMMANDS = {"mine": _mine, "search": _search, "oncall": _oncall, "new": _new, "link-channel": _link_channel, "help": _help}


# -- the new-ticket form ---------------------------------------------------------------------


async def new_ticket_submitted(ack, body, client, services, view) -> None:
    """The form: wrong fields keep it open with their errors; otherwise the ticket is opened."""
    form = parse_new_ticket(view)
    errors = await asyncio.to_thread(_form_errors, services, form)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    user = user_of(body)
    channel = form.channel or services.settings.slack.staff_channel or None
    agent = await acting_agent(services, client, user, channel)
    if agent is None:
        return
    reference = await asyncio.to_thread(_open, services, agent, form)
    done = f"Opened {reference} for {form.contact_email}: the receipt goes by e-mail and the card is on its way."
    await tell(client, channel, user, build_notice(done, "📞"))


def _form_errors(services, form: NewTicketForm) -> dict[str, str]:
    errors = {}
    with services.sessions() as session:
        contact = directory.find_contact(session, form.contact_email) if form.contact_email else None
    if contact is None:
        errors[NEW_CONTACT] = NO_CONTACT
    elif not contact.authorised:
        errors[NEW_CONTACT] = NOT_AUTHORISED
    if not form.subject:
        errors[NEW_SUBJECT] = "Write a subject."
    if form.priority not in PRIORITIES:
        errors[NEW_PRIORITY] = "Choose a priority."
    return errors


def _open(services, agent: AgentRef, form: NewTicketForm) -> str:
    with services.sessions() as session:
        ticket = open_on_behalf(
            session, services.settings, for_listeners(services).calendar, services.clock(),
            agent=session.get(Agent, agent.id), contact=directory.find_contact(session, form.contact_email),
            subject=form.subject, description=form.description, priority=form.priority,
        )
        session.commit()
        return ticket.reference


# -- reads and the one write ------------------------------------------------------------------


def _read(services, read, now: datetime | None = None):
    with services.sessions() as session:
        return read(session, for_listeners(services).calendar, now or services.clock())


def _read_card(services, reference: str, now: datetime) -> dict[str, Any] | None:
    with services.sessions() as session:
        ticket = tickets.find_by_reference(session, reference)
        if ticket is None:
            return None
        card = build_card(card_view(session, ticket, for_listeners(services).calendar, now))
        return {"text": card["text"], "blocks": card["blocks"]}


def _link(services, channel: str, number: str, agent_id: int) -> tuple[bool, str]:
    """Make ``channel`` a customer channel of organisation ``number``; (done, what to tell the agent)."""
    slack = services.settings.slack
    if not channel or channel.startswith("D") or channel in (slack.staff_channel, slack.alerts_channel,
                                                             slack.survey_channel):
        return False, "Only a customer's shared channel can be linked (not a DM, nor the staff or alerts channel)."
    with services.sessions() as session:
        organisation = session.execute(select(Organisation).where(Organisation.number == number)).scalar_one_or_none()
        if organisation is None:
            return False, f"No organisation has the customer number {number}."
        now = services.clock()
        values = {"channel_id": channel, "organisation_id": organisation.id, "linked_by_agent_id": agent_id,
                  "linked_at": now}
        if insert_ignoring_conflict(session, CustomerChannel, values) is None:  # linked before: re-point it
            linked = session.get(CustomerChannel, channel, with_for_update=True)
            linked.organisation_id, linked.linked_by_agent_id, linked.linked_at = organisation.id, agent_id, now
        session.commit()
        return True, (f"This channel is now a customer channel of {organisation.name} ({organisation.number}). "
                      "Messages here from its registered contacts are handled like mail to support, and answered "
                      "in their thread. Invite the bot here if it is not a member yet.")


# -- helpers -----------------------------------------------------------------------------------


async def _agent(services, client, user: str, respond) -> AgentRef | None:
    try:
        agent = await services.agents.resolve(client, user)
    except AgentLookupFailed:
        await _say(respond, build_refusal(WHO_ARE_YOU_FAILED))
        return None
    if agent is None:
        await _say(respond, build_refusal(ONLY_AGENTS))
    return agent


async def _say(respond, message: dict[str, Any]) -> None:
    """An ephemeral answer to the command (never unfurled, never with link_names)."""
    await respond(response_type="ephemeral", unfurl_links=False, unfurl_media=False,
                  text=message["text"], blocks=message.get("blocks"))


LISTENERS = (
    ("command", SUPPORT_COMMAND, support_command),
    ("view", NEW_TICKET_MODAL, new_ticket_submitted),
)
