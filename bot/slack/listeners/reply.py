"""Replying to the customer: the only way text leaves the staff channel.

Thread talk stays internal; an agent's words reach the customer through the
reply modal only, opened from the card's button or from the "Send to customer"
shortcut on the agent's *own* message in a card's thread (prefilled with it).
The modal shows the greeting and the signature in the contact's language around
the text box; both come from the ``agent_reply`` mail template, and the Desk
takes off a greeting or sign-off the agent typed anyway (one of each, always).
A canned reply chosen in the modal is appended to what was typed (views.update). On submit the Desk
queues the mail, stops the first-response clock and sets "waiting on customer";
"sent to customer" appears in the thread once the mail server accepted it.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError

from bot.domain.mail.salutations import greeting, sign_off
from bot.domain.stale_clicks import Seen
from bot.desk.reply_files import too_large
from bot.slack.blocks.card import build_reply_modal
from bot.slack.blocks.reply_files import REPLY_FILES, message_files, submitted_files, with_message_files
from bot.slack.file_fetch import FetchFailed, fetch_files
from storage.attachment_store import AttachmentStore
from bot.slack.ids import REPLY, REPLY_CANNED, REPLY_MODAL, SEND_TO_CUSTOMER, parse_reply_submission
from bot.slack.listeners.agents import AgentRef
from bot.slack.listeners.clicks import GONE, card_click, clicked_value, feedback_channel, user_of
from bot.desk.reads import TicketRef
from bot.slack.listeners.message_text import plain_text
from bot.slack.listeners.notices import build_refusal, build_submitted, build_unsent, tell
from bot.slack.listeners.prologue import begin, ephemeral

log = logging.getLogger("supportbot.slack")

NOT_YOURS = ("Only your own messages can be sent to the customer this way. "
             "To write to the customer, use “Reply to customer” on the card.")
NOT_A_CARD_THREAD = "“Send to customer” works on your messages in the thread of a ticket's card."
EMPTY = "Write the reply first."


def signature(ticket: TicketRef, agent: AgentRef, desk_name: str) -> str:
    """The sign-off the agent_reply template adds: "Med vänliga hälsningar\\n<agent>\\n<desk>"."""
    return f"{sign_off(ticket.language)}\n{agent.display_name}\n{desk_name}"


def reply_modal(services, ticket: TicketRef, agent: AgentRef, seen: Seen, prefill: str = "") -> dict:
    """The reply modal for ``ticket`` as ``seen`` when it opened, with the canned replies in its language."""
    canned = [(c.id, c.title, c.for_ticket(ticket.reference)) for c in services.canned.for_language(ticket.language)]
    return build_reply_modal(ticket.id, seen, ticket.reference, greeting(ticket.language, ticket.contact_first_name),
                             signature(ticket, agent, services.settings.desk.name), canned, prefill,
                             in_slack=ticket.answered_in_slack)


async def reply_clicked(ack, body, client, services) -> None:
    """"Reply to customer" on a card: open the modal."""
    await ack()
    target = await card_click(body, client, services)
    if target is not None:
        agent, _value, ticket = target
        view = reply_modal(services, ticket, agent, ticket.seen)
        await client.views_open(trigger_id=body["trigger_id"], view=view)


async def send_to_customer_used(ack, body, client, services) -> None:
    """The message shortcut on an agent's own thread message: the modal, prefilled with that message."""
    await ack()
    user, channel = user_of(body), (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    begun = await begin(services, client, user, ephemeral(client, channel, user, message.get("thread_ts")))
    if begun is None:
        return
    found = await _own_message_on_a_card(services, channel, user, message)
    if isinstance(found, str):
        await tell(client, channel, user, build_refusal(found), message.get("thread_ts"))
        return
    view = reply_modal(services, found, begun.agent, found.seen, plain_text(message.get("text") or ""))
    if not found.answered_in_slack:  # files go by mail
        view = with_message_files(view, [f for f in message.get("files") or [] if isinstance(f, dict)])
    await client.views_open(trigger_id=body["trigger_id"], view=view)


async def _own_message_on_a_card(services, channel: str | None, user: str, message: dict) -> TicketRef | str:
    """The open ticket whose card thread holds ``user``'s own ``message``; else why the shortcut does not apply."""
    if message.get("user") != user or message.get("bot_id"):
        return NOT_YOURS
    thread_ts = message.get("thread_ts")
    if not channel or not thread_ts or thread_ts == message.get("ts"):
        return NOT_A_CARD_THREAD
    ticket = await asyncio.to_thread(services.reads.ticket_by_card, channel, thread_ts)
    if ticket is None:
        return NOT_A_CARD_THREAD
    return f"{ticket.reference} is closed." if ticket.closed else ticket


async def canned_chosen(ack, body, client, services) -> None:
    """A canned reply picked in the modal: redraw it with that text after what was typed."""
    await ack()
    view = body.get("view") or {}
    try:
        typed = parse_reply_submission(view)
    except ValueError:
        log.warning("canned reply chosen in a view without ticket metadata")
        return
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, typed.ticket_id)
    user = user_of(body)
    begun = await begin(services, client, user, ephemeral(client, feedback_channel(services, ticket), user))
    if ticket is None or begun is None:
        return
    chosen = services.canned.find(ticket.language, clicked_value(body))
    if chosen is None:
        return
    text = chosen.for_ticket(ticket.reference)
    prefill = f"{typed.text.rstrip()}\n\n{text}" if typed.text.strip() else text
    try:
        await client.views_update(view_id=view["id"], hash=view.get("hash"),
                                  view=reply_modal(services, ticket, begun.agent, typed.seen, prefill))
    except SlackApiError as exc:  # hash_conflict: the modal changed meanwhile; the agent can pick again
        log.info("reply modal not updated: %s", exc.response.get("error"))


async def reply_submitted(ack, body, client, services, view) -> None:
    """Send: an empty text keeps the modal open; otherwise the Desk queues the mail."""
    try:
        submission = parse_reply_submission(view)
    except ValueError:
        await ack()
        log.warning("reply modal submitted without ticket metadata")
        return
    if not submission.text.strip():
        await ack(response_action="errors", errors={submission.text_block_id: EMPTY})
        return
    files, carried = submitted_files(view), message_files(view)
    sizes = [int(f.get("size") or 0) for f in files] + [f["s"] for f in carried]
    refused = too_large(sizes, services.settings.files.reply_max_bytes)
    if refused:  # said in the modal, which stays open: nothing is sent half
        await ack(response_action="errors", errors={REPLY_FILES: refused})
        return
    await ack()
    user = user_of(body)
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, submission.ticket_id)
    channel = feedback_channel(services, ticket)
    begun = await begin(services, client, user, ephemeral(client, channel, user))
    if begun is None:
        return
    if ticket is None:
        await tell(client, channel, user, build_unsent(GONE, submission.text))
        return
    stored = await fetched(services, client, channel, user, [*await looked_up(client, carried), *files],
                           submission.text)
    if stored is None:
        return
    result = await asyncio.to_thread(services.desk.reply, ticket.id, begun.agent.id, submission.seen,
                                     submission.text, stored)
    done = f"Your reply on {ticket.reference} is on its way; the thread says so once the mail server took it."
    await tell(client, channel, user, build_submitted(result, submission.text, done, "📤"))


async def looked_up(client, carried: list[dict]) -> list[dict]:
    """The Slack file objects (with url_private_download) of the files a shortcut's message carried."""
    found = []
    for item in carried:
        try:
            found.append((await client.files_info(file=item["i"]))["file"])
        except SlackApiError as exc:  # deleted meanwhile: sent without it, as the agent can see in the audit line
            log.warning("file %s of the message not found: %s", item["i"], exc.response.get("error"))
    return found


async def fetched(services, client, channel, user, files: list[dict], text: str) -> list[dict] | None:
    """The agent's files fetched into the store; None (and the agent told, with their text) when one failed."""
    if not files:
        return []
    try:
        store = AttachmentStore(services.settings.desk.attachments_dir)  # the store the runtime uses
        return await asyncio.to_thread(fetch_files, services.settings, store, files,
                                       services.settings.files.reply_max_bytes)
    except FetchFailed as exc:
        log.warning("reply files not fetched: %s", exc)
        await tell(client, channel, user, build_unsent(f"A file could not be fetched from Slack ({exc}).", text))
        return None


LISTENERS = (
    ("action", REPLY, reply_clicked),
    ("message_shortcut", SEND_TO_CUSTOMER, send_to_customer_used),
    ("action", REPLY_CANNED, canned_chosen),
    ("view", REPLY_MODAL, reply_submitted),
)
