"""The SLA alert buttons: "I'm on it" (``sla_on_it``) and "Escalate" (``sla_escalate``).

Thin, like every listener: ``ack()`` first, the common prologue (the acting
agent, the button's value, one refusal), one call of
:class:`bot.desk.sla_actions.SlaDesk` in a thread (it is synchronous database
work), and the outcome to the clicker in an ephemeral message — the only thing
that goes out directly; the claim, the acknowledgement, the re-rendered alert
and the escalation DM go through the outbox in the action's transaction.
"""

from __future__ import annotations

import asyncio

from bot.slack.ids import SLA_ESCALATE, SLA_ON_IT, parse_sla_value
from bot.slack.listeners.clicks import channel_of, clicked_value, user_of
from bot.slack.listeners.notices import build_outcome, tell
from bot.slack.listeners.prologue import begin, ephemeral


def _on_it_value(raw: str) -> dict[str, int]:
    value = parse_sla_value(raw)
    if "t" not in value:  # only the escalate button goes without a ticket
        raise ValueError("an 'I'm on it' value without its ticket")
    return value


async def on_it_clicked(ack, body, client, services) -> None:
    """Claim the ticket, acknowledge its alerts, refresh the clicked alert."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body), _on_it_value)
    if begun is not None:
        where = (channel or "", (body.get("container") or {}).get("message_ts", ""))
        result = await asyncio.to_thread(services.sla.on_it, begun.value["t"], begun.agent.id, begun.value["row"],
                                         where)
        await tell(client, channel, user, build_outcome(result))


async def escalate_clicked(ack, body, client, services) -> None:
    """DM the next person on the escalation list."""
    await ack()
    user, channel = user_of(body), channel_of(body)
    begun = await begin(services, client, user, ephemeral(client, channel, user), clicked_value(body),
                        parse_sla_value)
    if begun is not None:
        result = await asyncio.to_thread(services.sla.escalate, begun.value["row"], begun.agent.id)
        await tell(client, channel, user, build_outcome(result))


LISTENERS = (
    ("action", SLA_ON_IT, on_it_clicked),
    ("action", SLA_ESCALATE, escalate_clicked),
)
