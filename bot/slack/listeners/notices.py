"""Ephemeral messages the listeners send directly (refusals and results), and how they are sent.

Everything that records a state change goes through the outbox; only what the
acting agent must see at once goes out from here, visible to that agent alone.
Text is escaped with :func:`fit` (customer subjects, agent names and typed text
alike); the only ``<…>`` we emit is our own mention of a Slack user id.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import POST_DEFAULTS, build_refusal
from bot.slack.text import clip_escaped, fit, is_slack_user_id, mention, quoted_chunks
from bot.slack.ids import CLOSE_CONFIRM, ticket_value
from bot.desk.staff_actions import ActionResult

log = logging.getLogger("supportbot.slack")

TEXT_MAX = 3000
PART_CHARS = 300
UNSENT_SECTIONS = 3
NOT_UNDERSTOOD = "That button or form was not understood, so nothing was changed."

__all__ = ["build_refusal", "build_notice", "build_outcome", "build_submitted",
           "build_close_confirmation", "build_unsent", "tell"]


def build_notice(text: str, icon: str = "ℹ️") -> dict[str, Any]:
    """A short ephemeral result, e.g. "📤 Your reply to TC-… is on its way"."""
    line = f"{icon} {fit(text, TEXT_MAX - 4)}"
    return {"text": line, "blocks": [_section(line)]}


def build_outcome(result: ActionResult) -> dict[str, Any] | None:
    """What to tell the agent about a Desk action; None when the card update says it all."""
    if not result.ok and is_slack_user_id(result.holder_slack_id):
        line = f"⛔ Already claimed by {mention(result.holder_slack_id)}."  # our mention; nothing else unescaped
        return {"text": line, "blocks": [_section(line)]}
    if not result.ok:
        return build_refusal(result.message or "That did not work; nothing was changed.")
    return build_notice(result.message, "✅") if result.message else None


def build_submitted(result: ActionResult, typed: str, done: str, icon: str) -> dict[str, Any] | None:
    """After a modal's Desk call: ``done`` when it worked; on a stale card the typed text comes back."""
    if result.ok:
        return build_notice(done, icon)
    if result.stale:
        return build_unsent(result.message, typed)
    return build_outcome(result)


def build_close_confirmation(ticket_id: int, seen: Seen, reference: str, subject: str) -> dict[str, Any]:
    """The ✅-reaction confirmation: one button that closes the ticket (the customer gets the closing mail)."""
    ref = fit(reference, PART_CHARS)
    line = f"Close *{ref}* · {fit(subject, PART_CHARS)}? The customer is told by e-mail."
    button = {"type": "button", "action_id": CLOSE_CONFIRM, "style": "danger",
              "text": {"type": "plain_text", "text": fit(f"Close {reference}", 75), "emoji": True},
              "value": ticket_value(ticket_id, seen)}
    return {"text": f"Close {ref}?", "blocks": [_section(line), {"type": "actions", "elements": [button]}]}


def build_unsent(reason: str, text: str) -> dict[str, Any]:
    """A refusal that hands the agent's typed text back, so a stale modal never loses it."""
    head = f"⛔ {fit(reason, TEXT_MAX - 50)} Your text was *not* sent; here it is:"
    blocks = [_section(head)] + [_section(chunk) for chunk in quoted_chunks(text.strip(), TEXT_MAX, UNSENT_SECTIONS)]
    return {"text": head, "blocks": blocks}


async def tell(client, channel: str | None, user: str, message: dict[str, Any] | None,
               thread_ts: str | None = None) -> None:
    """Post ``message`` as an ephemeral to ``user`` in ``channel`` (in a thread when given)."""
    if message is None:
        return
    if not channel:
        log.warning("no channel to tell %s: %s", user, message["text"][:200])
        return
    extra = {"thread_ts": thread_ts} if thread_ts else {}
    try:
        # POST_DEFAULTS: no unfurls; and never link_names, so "@here" in any text stays text.
        await client.chat_postEphemeral(channel=channel, user=user, **message, **extra, **POST_DEFAULTS)
    except SlackApiError as exc:  # e.g. user_not_in_channel: what was done is done; only the telling failed
        log.warning("could not tell %s in %s (%s): %s", user, channel, exc.response.get("error"), message["text"][:200])


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip_escaped(mrkdwn, TEXT_MAX)}}
