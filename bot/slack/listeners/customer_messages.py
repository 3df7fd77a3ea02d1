"""Messages customers write in their Slack channels: the same pipeline as mail, answered in the thread.

The bot receives ``message`` events from every channel it is in (the staff
channel too, where thread talk is internal and ignored here). Only a person's
new message in a customer channel goes on: bots, our own posts, edits,
deletions, joins and other subtypes are ignored; a redelivered event
(``event_id``) is handled once, and the pipeline drops a message whose
channel+ts it already has. The edge only converts: Slack's mrkdwn to plain
text, the files to names, and — for a Slack user no contact is linked to yet —
the e-mail address in their profile (``users.info``). Who that is and what it
becomes is the pipeline's decision (``bot/intake/slack_runner.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timezone
from typing import Any

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from bot.domain.mail.inbound import AttachmentData, InboundMessage
from bot.slack.listeners.events import first_delivery
from bot.slack.listeners.message_text import plain_text

log = logging.getLogger("supportbot.slack")

# A person's new message: plain, with files, or a thread reply also sent to the channel.
PERSON_SUBTYPES = (None, "file_share", "thread_broadcast")
SUBJECT_CHARS = 100


async def customer_message(ack, body, event, client, services, context) -> None:
    """A message event: run the pipeline when it is a person's new message in a customer channel."""
    await ack()  # already acknowledged by Bolt for events; kept so every listener reads the same
    if not _written_by_a_person(event, context):
        return
    channel, user = event.get("channel", ""), event.get("user", "")
    intake = services.intake
    customer_channel, known = await asyncio.to_thread(intake.lookup, channel, user)
    if not customer_channel or not await first_delivery(services, body):
        return
    try:
        profile = {} if known else await _profile(client, user)
    except _NoProfile as exc:
        log.warning("users.info for %s failed (%s); message %s not processed", user, exc, event.get("ts"))
        await asyncio.to_thread(intake.alert, f"slack:{channel}:{event.get('ts')}",
                                f"A message in Slack channel {channel} from {user} was not processed: "
                                f"Slack could not say who wrote it ({exc}).")
        return
    await asyncio.to_thread(intake.process, inbound_message(event, profile))


def inbound_message(event: dict[str, Any], profile: dict[str, Any]) -> InboundMessage:
    """The normalised message for a Slack ``message`` event (``profile``: users.info's user, or {})."""
    channel, ts = event["channel"], event["ts"]
    thread_ts = event.get("thread_ts")
    text = plain_text(event.get("text") or "").strip()
    details = profile.get("profile") or {}
    return InboundMessage(
        channel="slack", message_id=f"slack:{channel}:{ts}",
        sender_email=(details.get("email") or "").strip().lower(),
        sender_name=details.get("real_name") or profile.get("real_name") or "",
        subject=_subject(text), date=datetime.fromtimestamp(float(ts), timezone.utc), text=text,
        attachments=[_file(f) for f in event.get("files") or [] if isinstance(f, dict)],
        slack_channel=channel, slack_ts=ts, slack_thread_ts=thread_ts if thread_ts != ts else None,
        slack_user=event.get("user"),
    )


def _written_by_a_person(event: dict[str, Any], context) -> bool:
    if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id") or event.get("bot_profile"):
        return False
    if event.get("channel_type") not in (None, "channel", "group"):
        return False  # DMs with the bot are not a customer channel
    user = event.get("user")
    return bool(user and event.get("ts") and event.get("channel")) and user != context.get("bot_user_id")


def _subject(text: str) -> str:
    """The first line, as a subject for the inquiry notice (and a ticket, under policy "ticket")."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= SUBJECT_CHARS else first[: SUBJECT_CHARS - 1].rstrip() + "…"


def _file(data: dict[str, Any]) -> AttachmentData:
    # Slack keeps the file; we record its name and size (stored=False). The
    # content was never fetched, so the "hash" is of Slack's file id: it names
    # no content in the attachment store.
    return AttachmentData(
        filename=str(data.get("name") or data.get("title") or ""),
        content_type=str(data.get("mimetype") or "application/octet-stream"),
        size=int(data.get("size") or 0),
        sha256=hashlib.sha256(f"slack-file:{data.get('id', '')}".encode()).hexdigest(),
    )


class _NoProfile(Exception):
    """users.info failed; who wrote is unknown for now."""


async def _profile(client, user: str) -> dict[str, Any]:
    try:
        response = await client.users_info(user=user)
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return {}
        raise _NoProfile(str(exc.response.get("error"))) from exc
    except (ClientError, TimeoutError) as exc:  # after the client's own retries
        raise _NoProfile(repr(exc)) from exc
    user_data = response.get("user") or {}
    return {} if user_data.get("is_bot") or user_data.get("deleted") else user_data


LISTENERS = (("event", "message", customer_message),)
