"""Bolt listeners for the SLA alert buttons: "I'm on it" (``sla_on_it``) and "Escalate" (``sla_escalate``).

Thin, like every listener: ``ack()`` first, find the acting agent (Slack users
map to agents by e-mail), call :class:`bot.desk.sla_actions.SlaDesk` in a
thread (it is synchronous database work), and tell the clicker the outcome in
an ephemeral message — the only thing that goes out directly; the claim, the
acknowledgement, the re-rendered alert and the escalation DM go through the
outbox in the action's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.text import fit, is_slack_user_id, mention
from bot.slack.ids import SLA_ESCALATE, SLA_ON_IT, parse_sla_value
from bot.desk.staff_actions import ActionResult, Desk
from bot.desk.sla_actions import SlaDesk

log = logging.getLogger("supportbot.slack")

NOT_AN_AGENT = "Only support agents can act on SLA alerts."
NOT_UNDERSTOOD = "That button was not understood, so nothing was changed."


def register(app, desk: Desk, sessions: sessionmaker[Session], clock: Callable[[], datetime], *,
             settings=None, inflight=None) -> SlaDesk:
    """Add the two listeners to a Bolt ``AsyncApp``.

    ``settings`` defaults to the desk's (the escalation list is read from it);
    with ``inflight`` (an object with ``register(app.action, action_id,
    listener)``, such as the Slack app's in-flight counter) the listeners are
    registered through it, so that a stopping service waits for them.
    """
    sla = SlaDesk(desk, sessions, settings if settings is not None else desk._settings, clock)

    def add(action_id: str):
        def decorate(listener):
            if inflight is not None:
                inflight.register(app.action, action_id, listener)
            else:
                app.action(action_id)(listener)
            return listener
        return decorate

    @add(SLA_ON_IT)
    async def on_it(ack, body, client) -> None:
        await ack()
        click = await _click(body, client, desk)
        if click is not None:
            value, agent_id, where = click
            if "t" not in value:
                return await _tell(client, where, body, ActionResult(False, NOT_UNDERSTOOD))
            result = await asyncio.to_thread(sla.on_it, value["t"], agent_id, value["row"], where)
            await _tell(client, where, body, result)

    @add(SLA_ESCALATE)
    async def escalate(ack, body, client) -> None:
        await ack()
        click = await _click(body, client, desk)
        if click is not None:
            value, agent_id, where = click
            await _tell(client, where, body, await asyncio.to_thread(sla.escalate, value["row"], agent_id))

    return sla


async def _click(body: dict, client, desk: Desk) -> tuple[dict, int, tuple[str, str]] | None:
    """(button value, acting agent id, (channel, message ts)); None after telling the clicker why not."""
    container = body.get("container") or {}
    where = (container.get("channel_id") or (body.get("channel") or {}).get("id", ""), container.get("message_ts", ""))
    try:
        value = parse_sla_value(body["actions"][0]["value"])
    except (KeyError, IndexError, TypeError, ValueError):
        await _tell(client, where, body, ActionResult(False, NOT_UNDERSTOOD))
        return None
    agent = await _agent(client, desk, body["user"]["id"])
    if agent is None:
        await _tell(client, where, body, ActionResult(False, NOT_AN_AGENT))
        return None
    return value, agent, where


async def _agent(client, desk: Desk, user_id: str) -> int | None:
    agent = await asyncio.to_thread(desk.agent_by_slack_user, user_id)
    if agent is None:
        try:
            profile = ((await client.users_info(user=user_id)).get("user") or {}).get("profile") or {}
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            return None
        if profile.get("email"):
            agent = await asyncio.to_thread(desk.link_agent, user_id, profile["email"])
    return agent.id if agent is not None else None


async def _tell(client, where: tuple[str, str], body: dict, result: ActionResult) -> None:
    """The outcome, visible to the clicker alone."""
    if result.ok:
        text = f"✅ {fit(result.message, 2900)}" if result.message else None
    elif is_slack_user_id(result.holder_slack_id):
        text = f"⛔ Already claimed by {mention(result.holder_slack_id)}."
    else:
        text = f"⛔ {fit(result.message or 'That did not work; nothing was changed.', 2900)}"
    if text is None or not where[0]:
        return
    try:
        await client.chat_postEphemeral(channel=where[0], user=body["user"]["id"], text=text)
    except SlackApiError as exc:  # the state change stands; only the note is lost
        log.warning("ephemeral to %s failed: %s", body["user"]["id"], exc.response.get("error"))
