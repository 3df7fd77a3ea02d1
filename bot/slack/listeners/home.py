"""The agents' App Home: my open tickets, unassigned, breaching soon, inquiries waiting, who is on call.

Published (``views.publish``) when an agent opens the tab and again after each
click on it, so it never shows a claim that already happened. Claim and "Open
as ticket" are the same Desk calls as on a card (through the outbox); their
outcome is shown at the top of the republished tab, since a home tab has no
channel for an ephemeral. Someone who is not an agent sees one line and no
tickets. "Open card" is a URL button with the card's permalink
(``chat.getPermalink``, remembered: a message's permalink never changes).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError

from bot.slack.blocks.home import build_home, build_not_an_agent
from bot.slack.ids import HOME_CLAIM, HOME_INQUIRY_OPEN, HOME_OPEN_CARD, HOME_REFRESH, parse_inquiry_value, parse_ticket_value
from bot.slack.listeners.clicks import clicked_value, user_of
from bot.slack.listeners.prologue import Refuse, begin
from bot.slack.text import fit, is_slack_user_id, mention

log = logging.getLogger("supportbot.slack")

_PERMALINKS: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_PERMALINKS_KEPT = 4096


# -- listeners ------------------------------------------------------------------------


async def home_opened(event, client, services) -> None:
    """The agent opened the Home tab (not the Messages tab): publish it afresh."""
    if event.get("tab") == "home" and event.get("user"):
        await publish_home(client, services, event["user"])


async def home_refreshed(ack, body, client, services) -> None:
    """↻ Refresh."""
    await ack()
    await publish_home(client, services, user_of(body))


async def home_claimed(ack, body, client, services) -> None:
    """Claim on a home row: the Desk's compare-and-set, then the tab again with the outcome on top."""
    await ack()
    user = user_of(body)
    begun = await begin(services, client, user, on_the_tab(client, services, user), clicked_value(body),
                        parse_ticket_value)
    if begun is None:
        return
    value = begun.value
    result = await asyncio.to_thread(services.desk.claim, value.ticket_id, begun.agent.id, value.seen)
    ticket = await asyncio.to_thread(services.reads.ticket_by_id, value.ticket_id)
    reference = fit(ticket.reference, 40) if ticket else "the ticket"
    if result.ok:
        notice = f"👀 You claimed *{reference}*."
    elif is_slack_user_id(result.holder_slack_id):
        notice = f"⛔ *{reference}* is already claimed by {mention(result.holder_slack_id)}."
    else:
        notice = f"⛔ {fit(result.message, 500)}"
    await publish_home(client, services, user, notice)


async def home_inquiry_opened(ack, body, client, services) -> None:
    """"Open as ticket" on a home row: the inquiry's ticket (receipt, card), then the tab again."""
    await ack()
    user = user_of(body)
    begun = await begin(services, client, user, on_the_tab(client, services, user), clicked_value(body),
                        parse_inquiry_value)
    if begun is None:
        return
    result = await asyncio.to_thread(services.desk.open_inquiry, begun.value, begun.agent.id)
    await publish_home(client, services, user, f"{'✅' if result.ok else '⛔'} {fit(result.message, 500)}")


async def link_clicked(ack) -> None:
    """A URL button (the browser follows it); Slack still wants the click acknowledged."""
    await ack()


async def publish_home(client, services, user: str, notice: str | None = None) -> None:
    """Build ``user``'s home tab from the database and publish it (``notice``: escaped mrkdwn on top).

    Someone who is not an agent gets a tab with the refusal and nothing else.
    """
    async def not_an_agent(message: dict) -> None:
        await client.views_publish(user_id=user, view=build_not_an_agent(message))

    begun = await begin(services, client, user, not_an_agent)
    if begun is None:
        return
    view = await asyncio.to_thread(services.reads.home, begun.agent.display_name, begun.agent.id, notice)
    links = await permalinks(client, view.links_needed())
    await client.views_publish(user_id=user, view=build_home(view, links))


def on_the_tab(client, services, user: str) -> Refuse:
    """A home tab has no channel for an ephemeral: a refusal is the tab again, with it on top."""
    async def refuse(message: dict) -> None:
        await publish_home(client, services, user, message["text"])
    return refuse


# -- permalinks ------------------------------------------------------------------------


async def permalinks(client, messages: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Permalinks of ``(channel, ts)`` messages; remembered, fetched concurrently, left out when Slack says no."""
    base = str(getattr(client, "base_url", ""))
    wanted = list(dict.fromkeys(messages))
    missing = [m for m in wanted if (base, *m) not in _PERMALINKS]
    for message, url in zip(missing, await asyncio.gather(*(_permalink(client, *m) for m in missing))):
        if url:
            _PERMALINKS[(base, *message)] = url
            if len(_PERMALINKS) > _PERMALINKS_KEPT:
                _PERMALINKS.popitem(last=False)
    return {m: _PERMALINKS[(base, *m)] for m in wanted if (base, *m) in _PERMALINKS}


async def _permalink(client, channel: str, ts: str) -> str | None:
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as exc:  # e.g. message_not_found: the row simply has no link
        log.info("no permalink for %s %s: %s", channel, ts, exc.response.get("error"))
        return None
    except (ClientError, TimeoutError) as exc:  # after the client's own retries; try again next time
        log.info("no permalink for %s %s: %r", channel, ts, exc)
        return None
    return response.get("permalink")


LISTENERS = (
    ("event", "app_home_opened", home_opened),
    ("action", HOME_REFRESH, home_refreshed),
    ("action", HOME_CLAIM, home_claimed),
    ("action", HOME_INQUIRY_OPEN, home_inquiry_opened),
    ("action", HOME_OPEN_CARD, link_clicked),
)
