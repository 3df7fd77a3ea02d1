""""Full message" on a thread post: the whole text and its headers in a modal, page by page, and a signed .eml link.

Reading only: nothing changes, so no revision check; an agent is still required
(the message is a customer's). The .eml link is signed for this message and
expires after ``files.link_valid_hours`` (bot/web/file_links.py).
"""

from __future__ import annotations

import asyncio
import logging
from zoneinfo import ZoneInfo

from bot.slack.blocks.full_message import FULL_MESSAGE, NEXT, PREVIOUS, build_full_message_modal, parse_message_value
from bot.slack.listeners.clicks import clicked_value, feedback_channel, user_of
from bot.slack.listeners.notices import build_refusal, tell
from bot.slack.listeners.prologue import begin, ephemeral
from bot.web.file_links import download_url

log = logging.getLogger("supportbot.slack")

GONE = "This message is no longer stored."


async def full_message_clicked(ack, body, client, services) -> None:
    """The button on a thread post: open the modal at its first page."""
    await ack()
    await _show(body, client, services, lambda view: client.views_open(trigger_id=body["trigger_id"], view=view))


async def page_clicked(ack, body, client, services) -> None:
    """Previous / Next inside the modal: redraw it with that page."""
    await ack()
    view_id = (body.get("view") or {}).get("id")
    await _show(body, client, services, lambda view: client.views_update(view_id=view_id, view=view))


async def _show(body, client, services, send) -> None:
    try:
        message_id, page = parse_message_value(clicked_value(body))
    except ValueError:
        log.warning("full-message click without a message id")
        return
    user, channel = user_of(body), feedback_channel(services, None)
    if await begin(services, client, user, ephemeral(client, channel, user)) is None:
        return
    found = await asyncio.to_thread(services.reads.full_message, message_id)
    if found is None:
        await tell(client, channel, user, build_refusal(GONE))
        return
    link = None
    if found.has_raw:
        url, expires_at = download_url(services.settings, "m", found.message_id, services.reads.now())
        link = (url, f"{expires_at.astimezone(ZoneInfo(services.settings.hours.timezone)):%Y-%m-%d %H:%M}")
    await send(build_full_message_modal(found, page, link))


LISTENERS = (
    ("action", FULL_MESSAGE, full_message_clicked),
    ("action", PREVIOUS, page_clicked),
    ("action", NEXT, page_clicked),
)
