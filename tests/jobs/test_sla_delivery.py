"""SLA alerts delivered to the Slack stand-in: DMs, the alerts-channel post, user groups, digests, safety."""

from __future__ import annotations

import json
import random

import pytest

from bot.devtools.slack_standin import SlackStandin
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.deliverers.sla import SlaDeliverer
from bot.jobs.outbox import by_kind
from bot.jobs.outbox_worker import OutboxWorker
from bot.rendering.email import TemplateRenderer
from tests.jobs.test_sla_monitor import ALERTS, STAFF, World, local

USERS = {
    "U0AGNES": {"email": "agnes@vendor.example", "real_name": "Agnes"},
    "U0BO": {"email": "bo@vendor.example", "real_name": "Bo"},
    "U0CECILIA": {"email": "cecilia@vendor.example", "real_name": "Cecilia"},
    "U0STRANGER": {"email": "someone@elsewhere.example", "real_name": "Stranger"},
}


@pytest.fixture
def standin():
    with SlackStandin(users=USERS, usergroups={"S0JOUR": ["U0AGNES", "U0BO"]}) as server:
        yield server


class SlackWorld(World):
    """A World whose outbox is delivered to the stand-in (cards and SLA kinds; mail stays queued)."""

    def __init__(self, sessions, standin, **sections):
        slack = {"bot_token": standin.token, "api_base_url": standin.base_url, **sections.pop("slack", {})}
        super().__init__(sessions, slack=slack, **sections)
        client = make_sync_web_client(self.settings.slack)
        kinds = by_kind(SlackDeliverer(self.settings, client, self.calendar, self.clock),
                        SlaDeliverer(self.settings, client, self.calendar, self.clock))
        self.worker = OutboxWorker(sessions, kinds, self.clock, worker_id="test", rng=random.Random(0))

    def deliver(self) -> None:
        while self.worker.run_once():
            pass


@pytest.fixture
def make_slack_world(session_factory, standin):
    return lambda **sections: SlackWorld(session_factory, standin, **sections)


def posts(standin, channel=None):
    return [c for c in standin.calls("chat.postMessage") if c.ok and channel in (None, c.params["channel"])]


def buttons(call) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for block in call.params.get("blocks") or []:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button":
                found.setdefault(element["action_id"], []).append(json.loads(element["value"]))
    return found


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_a_warning_is_a_dm_through_conversations_open(make_slack_world, standin):
    world = make_slack_world()
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.deliver()  # the card
    world.tick(local(2026, 3, 10, 10, 30))
    world.deliver()
    [opened] = standin.calls("conversations.open")
    assert opened.params["users"] == "U0AGNES"
    [dm] = posts(standin, opened.response["channel"]["id"])
    assert "SLA warning" in dm.params["text"] and world.ticket(ticket).reference in dm.params["text"]
    assert "due 11:00 (in 30 business min)" in json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert set(buttons(dm)) == {"sla_on_it", "sla_escalate"}
    assert not posts(standin, ALERTS)
    assert len(standin.calls("chat.update")) == 1  # the card now shows "due soon"


def test_a_breach_mentions_on_call_links_the_card_and_never_pings_the_channel(make_slack_world, standin):
    world = make_slack_world()
    ticket = world.open(local(2026, 3, 10, 9, 0), subject="<!channel> hjälp <@U0BO> & <!here>")
    world.deliver()
    world.tick(local(2026, 3, 10, 11, 0))
    world.deliver()
    [alert] = posts(standin, ALERTS)
    blocks = json.dumps(alert.params["blocks"], ensure_ascii=False)
    assert "<@U0AGNES>" in blocks and "SLA breach" in blocks and "overdue 0 business min" in blocks
    card = world.ticket(ticket)
    links = standin.calls("chat.getPermalink")  # the alert and the DM
    assert {(link.params["channel"], link.params["message_ts"]) for link in links} == {(STAFF, card.slack_card_ts)}
    assert links[0].response["permalink"] in blocks
    [row] = world.outbox("slack.sla_alert")
    assert buttons(alert) == {"sla_on_it": [{"row": row.id, "t": ticket}], "sla_escalate": [{"row": row.id}]}
    dms = [c for c in posts(standin) if c.params["channel"].startswith("D")]
    assert len(dms) == 1 and standin.calls("conversations.open")[0].params["users"] == "U0AGNES"
    sent = [s for call in standin.calls() for s in strings(call.params)]
    assert not any(bad in s for s in sent for bad in ("<!channel>", "<!here>", "<@U0BO>"))
    assert any("&lt;!channel&gt;" in s for s in sent)


def test_a_user_group_is_asked_at_delivery_and_each_member_gets_one_dm(make_slack_world, standin):
    world = make_slack_world(oncall={"rota": [], "slack_usergroup": "S0JOUR"})
    world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    world.deliver()
    [alert] = posts(standin, ALERTS)
    assert "<@U0AGNES> <@U0BO>" in json.dumps(alert.params["blocks"])
    assert sorted(c.params["users"] for c in standin.calls("conversations.open")) == ["U0AGNES", "U0BO"]
    assert len([c for c in posts(standin) if c.params["channel"].startswith("D")]) == 2
    keys = sorted(row.idempotency_key for row in world.outbox("slack.dm"))
    assert keys == ["sla:1:dm:usergroup:S0JOUR", "sla:1:dm:usergroup:S0JOUR:U0AGNES", "sla:1:dm:usergroup:S0JOUR:U0BO"]
    world.deliver()  # nothing left: no second round of DMs
    assert len(standin.calls("conversations.open")) == 2


def test_nobody_on_call_still_posts_the_alert_and_says_so(make_slack_world, standin):
    world = make_slack_world(oncall={"rota": []})
    world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    world.deliver()
    [alert] = posts(standin, ALERTS)
    assert "no one on call" in json.dumps(alert.params["blocks"])
    assert not standin.calls("conversations.open") and not world.outbox("slack.dm")


def test_a_digest_lists_the_cases_with_a_button_each(make_slack_world, standin):
    world = make_slack_world()
    tickets = [world.open(local(2026, 5, 15, 10, 0), subject=f"Ärende {n}") for n in range(6)]  # the klämdag
    world.tick(local(2026, 5, 18, 11, 0))
    world.deliver()
    [alert] = posts(standin, ALERTS)
    assert alert.params["text"].startswith("6 SLA breaches")
    found = buttons(alert)
    assert sorted(value["t"] for value in found["sla_on_it"]) == tickets and len(found["sla_escalate"]) == 1
    assert not standin.calls("chat.getPermalink")  # digests link the cards without asking Slack
    [dm] = [c for c in posts(standin) if c.params["channel"].startswith("D")]
    assert dm.params["text"].startswith("6 SLA breaches")


def test_an_alert_for_a_case_answered_before_delivery_is_dropped(make_slack_world, standin):
    world = make_slack_world()
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    assert world.desk.claim(ticket, world.agent_id("bo@vendor.example"), 1).ok
    world.deliver()
    assert not posts(standin, ALERTS) and not standin.calls("conversations.open")
    assert {row.state for row in world.outbox("slack.sla_alert")} == {"sent"}


def test_the_on_call_mail_renders_with_every_variable_the_template_needs(make_slack_world):
    world = make_slack_world()
    world.open(local(2026, 3, 10, 9, 0))
    world.deliver()  # the card, so that the mail can link to it
    world.tick(local(2026, 3, 10, 11, 0))
    [mail] = world.outbox("email")
    rendered = TemplateRenderer().render("sla_alert", mail.payload["lang"], mail.payload["context"])
    assert rendered.subject == "SLA överskridet: Kommunen AB – Exporten stannar"
    assert "Skulle ha besvarats senast i dag kl. 11:00 (försenat)." in rendered.text
    assert f"https://slack.com/archives/{STAFF}/p" in rendered.text
    assert mail.payload["to"] == ["jour@vendor.example"] and mail.payload["auto_submitted"] == "auto-generated"

