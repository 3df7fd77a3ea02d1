"""The alert buttons through Bolt's dispatch: "I'm on it" claims and acknowledges, "Escalate" walks the list."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from bot.devtools.slack_standin import APP_ID, TEAM_ID
from bot.slack.app import build_app
from bot.slack.listeners.agents import ONLY_AGENTS
from bot.slack.listeners.inflight import InFlight
from bot.slack.listeners.notices import NOT_UNDERSTOOD
from storage.models import SlaAlert, TicketEvent
from tests.jobs.test_sla_delivery import buttons, make_slack_world, posts, standin  # noqa: F401
from tests.jobs.test_sla_monitor import ALERTS, local


class Buttons:
    """The desk's Bolt app, driven by block_actions payloads on the SLA alerts' buttons."""

    def __init__(self, world, standin):
        self.world, self.standin = world, standin
        self.client = AsyncWebClient(token=standin.token, base_url=standin.base_url)
        self.runner = asyncio.Runner()  # one loop for all clicks: the in-flight counter lives on it
        self.inflight = InFlight()
        self.app = build_app(world.settings, world.desk, world.sessions, world.clock, self.client,
                             inflight=self.inflight)

    def click(self, user: str, action_id: str, message, value: dict | None = None) -> None:
        [found] = buttons(message)[action_id][:1] if value is None else [value]
        body = {
            "type": "block_actions", "team": {"id": TEAM_ID}, "api_app_id": APP_ID, "user": {"id": user},
            "container": {"type": "message", "channel_id": message.params["channel"],
                          "message_ts": message.response["ts"]},
            "channel": {"id": message.params["channel"]}, "trigger_id": "1.2.3",
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": json.dumps(found),
                         "action_ts": "1"}],
        }

        async def dispatch():
            response = await self.app.async_dispatch(AsyncBoltRequest(body=body, mode="socket_mode"))
            assert response.status == 200, response.body
            assert await self.inflight.wait_idle(10)  # the app acks first and works after

        self.runner.run(dispatch())

    def ephemerals(self, user: str) -> list[str]:
        return [c.params["text"] for c in self.standin.calls("chat.postEphemeral") if c.params["user"] == user]


@pytest.fixture
def breached(make_slack_world, standin):  # noqa: F811
    world = make_slack_world()
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    world.deliver()
    [alert] = posts(standin, ALERTS)
    buttons = Buttons(world, standin)
    yield world, ticket, alert, buttons
    buttons.runner.close()


def test_on_it_claims_acknowledges_stops_reminders_and_updates_the_alert(breached, standin):  # noqa: F811
    world, ticket, alert, slack = breached
    world.clock.at = local(2026, 3, 10, 11, 3)
    slack.click("U0BO", "sla_on_it", alert)
    held = world.ticket(ticket)
    assert held.assignee_id == world.agent_id("bo@vendor.example")
    assert held.first_response_at == local(2026, 3, 10, 11, 3) and held.sla_next_check_at is None
    with world.sessions() as session:
        acks = session.execute(select(SlaAlert.acknowledged_by_agent_id)).scalars().all()
        kinds = session.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket)).scalars().all()
    assert acks == [world.agent_id("bo@vendor.example")]
    assert "claimed" in kinds and "sla_acknowledged" in kinds
    world.deliver()
    update = next(c for c in standin.calls("chat.update") if c.params["ts"] == alert.response["ts"])
    shown = json.dumps(update.params["blocks"])
    assert "<@U0BO> is on it" in shown and "sla_on_it" not in shown and "sla_escalate" not in shown
    assert slack.ephemerals("U0BO") == [f"✅ {held.reference} is yours."]
    assert world.tick(local(2026, 3, 10, 11, 30)).looked_at == 0  # no reminder


def test_on_it_after_someone_else_took_it_says_who(breached):
    world, ticket, alert, slack = breached
    slack.click("U0BO", "sla_on_it", alert)
    slack.click("U0AGNES", "sla_on_it", alert)
    assert slack.ephemerals("U0AGNES") == ["⛔ Already claimed by <@U0BO>."]
    assert world.ticket(ticket).assignee_id == world.agent_id("bo@vendor.example")


def test_escalate_dms_the_next_person_once_per_click(breached, standin):  # noqa: F811
    world, ticket, alert, slack = breached
    world.clock.at = local(2026, 3, 10, 11, 5)
    slack.click("U0AGNES", "sla_escalate", alert)
    slack.click("U0AGNES", "sla_escalate", alert)  # a double click: refused, nobody skipped
    assert slack.ephemerals("U0AGNES") == ["✅ Escalated to Bo.", "⛔ Already escalated to bo@vendor.example a moment ago."]
    world.clock.at = local(2026, 3, 10, 11, 10)
    slack.click("U0AGNES", "sla_escalate", alert)
    world.deliver()
    opened = [c.params["users"] for c in standin.calls("conversations.open")]
    assert opened == ["U0AGNES", "U0BO", "U0CECILIA"]  # on call, then the list (Cecilia found by e-mail)
    escalated = [c for c in posts(standin) if c.params["channel"].startswith("D")][1:]
    assert all("escalated to you by <@U0AGNES>" in json.dumps(c.params["blocks"]) for c in escalated)
    with world.sessions() as session:
        steps = session.execute(select(TicketEvent.data).where(TicketEvent.kind == "sla_escalated")).scalars().all()
    assert [(s["to"], s["step"]) for s in steps] == [("bo@vendor.example", 1), ("cecilia@vendor.example", 2)]
    world.clock.at += timedelta(minutes=5)
    slack.click("U0AGNES", "sla_escalate", alert)
    assert slack.ephemerals("U0AGNES")[-1].startswith("⛔ Everyone on the escalation list")


def test_a_stranger_changes_nothing(breached):
    world, ticket, alert, slack = breached
    slack.click("U0STRANGER", "sla_on_it", alert)
    assert slack.ephemerals("U0STRANGER") == [f"⛔ {ONLY_AGENTS}"]  # the same refusal as on every control
    assert world.ticket(ticket).assignee_id is None


def test_a_forged_value_is_refused(breached):
    world, ticket, alert, slack = breached
    slack.click("U0BO", "sla_on_it", alert, value={"row": "1; drop"})
    assert slack.ephemerals("U0BO") == [f"⛔ {NOT_UNDERSTOOD}"]
    assert world.ticket(ticket).assignee_id is None


def test_the_buttons_are_registered_with_every_other_listener(make_slack_world, standin):  # noqa: F811
    class Counter:
        keys: list[str] = []

        def register(self, add, key, listener):
            self.keys.append(key)
            add(key)(listener)

    world = make_slack_world()
    counter = Counter()
    build_app(world.settings, world.desk, world.sessions, world.clock,
              AsyncWebClient(token=standin.token, base_url=standin.base_url), inflight=counter)
    assert {"sla_on_it", "sla_escalate"} <= set(counter.keys)  # drained on stop like the rest
