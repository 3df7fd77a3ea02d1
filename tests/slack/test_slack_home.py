"""The agents' App Home: published when opened, with its sections; claims from it; agents only; within limits."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from bot.domain.stale_clicks import Seen
from bot.slack.ids import HOME_CLAIM, HOME_INQUIRY_OPEN, HOME_OPEN_CARD
from bot.slack.ids import inquiry_value, ticket_value
from storage.models import OncallShift, Ticket
from storage.repositories import slack_queue
from tests.support.slack_customer_fixtures import customer_env, slack_standin  # noqa: F401 - fixtures
from tests.support.slack_fixtures import AGNES, BO, GUEST, all_strings

HOSTILE = "<!channel> <https://evil.example|Klicka här> & @everyone"


def published(standin, user: str) -> list[dict]:
    return [c.params["view"] for c in standin.calls("views.publish") if c.params["user_id"] == user]


def texts(view: dict) -> list[str]:
    return [s for block in view["blocks"] for s in all_strings(block)]


def buttons(view: dict) -> list[dict]:
    """Buttons in actions blocks and beside sections (a ticket row's Claim or Open card)."""
    return [e for block in view["blocks"] if block["type"] == "actions" for e in block["elements"]] + \
        [block["accessory"] for block in view["blocks"] if block.get("accessory")]


def home_click(action_id: str, value: str, user: str) -> dict:
    from tests.support.slack_fixtures import _interaction

    action = {"type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.2"}
    return _interaction("block_actions", user, trigger_id="trigger-home", actions=[action],
                        container={"type": "view", "view_id": "V0HOME"}, view={"id": "V0HOME", "type": "home"})


@pytest.fixture
def desk_state(customer_env):
    """Agnes holds one ticket; one is unassigned and overdue; one unassigned on track; an inquiry waits; Agnes is on call."""
    env = customer_env
    env.now -= timedelta(days=1)  # Monday 10:15: first response was due at 13:15 that day
    overdue = env.add_ticket(subject=f"Överskriden {HOSTILE}", card=False)
    env.now += timedelta(days=1)
    mine = env.add_ticket(subject="Min fråga", card=False)
    fresh = env.add_ticket("john@kund.se", subject="Ny och lugn", card=False)
    agnes = env.agent("agnes@vendor.example")
    env.desk.claim(mine.id, agnes.id, 1)
    for ticket in (overdue, fresh):
        with env.sessions() as session:
            slack_queue.queue_card(session, session.get(Ticket, ticket.id), env.now)
            session.commit()
    inquiry_id = env.add_inquiry(subject="Vill ha en ny rapport")
    with env.sessions() as session:
        session.add(OncallShift(agent_id=agnes.id, starts_at=env.now - timedelta(hours=1),
                                ends_at=env.now + timedelta(hours=8)))
        session.commit()
    env.deliver_outbox()  # the cards are posted for real, so their permalinks exist
    return env, {"overdue": overdue.id, "mine": mine.id, "fresh": fresh.id, "inquiry": inquiry_id}


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_opening_the_home_tab_publishes_the_agents_desk(desk_state, mode):
    env, ids = desk_state

    async def scenario():
        await env.harness(mode).deliver(env.home_opened(AGNES))

    asyncio.run(scenario())
    (view,) = published(env.standin, AGNES)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    strings = texts(view)
    headings = [s for s in strings if s.startswith("*") and s.rstrip(")").split("(")[-1].isdigit()]
    assert headings == ["*🙋 My open tickets* (1)", "*📭 Unassigned* (2)",
                        "*⏰ Breaching soon (first response due within 30 business minutes, or overdue)* (1)",
                        "*📨 Inquiries waiting* (1)"]
    assert f"*On call now:* <@{AGNES}> (Agnes Agent (agnes@vendor.example, from the shift))" in strings
    overdue, fresh = env.ticket(ids["overdue"]), env.ticket(ids["fresh"])
    assert sum(overdue.reference in s for s in strings) == 2  # unassigned and breaching
    assert any("🔴 overdue" in s for s in strings)
    for text in strings:  # customer text stays text; our one mention is the on-call agent, our links the cards'
        found = set(re.findall(r"<[^>]*>", text)) - {f"<@{AGNES}>"}
        assert all(re.fullmatch(r"<https://standin\.slack\.com/archives/C0STAFF/p[0-9]+\|TC-[0-9-]+>", f)
                   for f in found), text
    assert any("&lt;!channel&gt;" in s for s in strings)
    claims = [b for b in buttons(view) if b["action_id"] == HOME_CLAIM]
    assert sorted(b["value"] for b in claims) == sorted(
        [ticket_value(ids["overdue"], Seen.of(overdue))] * 2 + [ticket_value(ids["fresh"], Seen.of(fresh))])
    # One section a row: Claim beside an unassigned ticket, Open card beside the others; the reference links the card.
    rows = [b for b in view["blocks"] if b.get("accessory")]
    assert len(rows) == 4 and not any(b["type"] == "actions" and any(
        e["action_id"] in (HOME_CLAIM, HOME_OPEN_CARD) for e in b["elements"]) for b in view["blocks"])
    cards = [b for b in buttons(view) if b["action_id"] == HOME_OPEN_CARD]
    assert len(cards) == 1 and cards[0]["url"].startswith("https://standin.slack.com/archives/C0STAFF/p")
    assert sum("|TC-" in s for s in strings) == 4
    assert [b["value"] for b in buttons(view) if b["action_id"] == HOME_INQUIRY_OPEN] == [inquiry_value(ids["inquiry"])]


def test_claiming_from_home_claims_and_publishes_the_tab_again(desk_state):
    env, ids = desk_state
    fresh = env.ticket(ids["fresh"])

    async def scenario():
        harness = env.harness()
        await harness.deliver(home_click(HOME_CLAIM, ticket_value(fresh.id, Seen.of(fresh)), AGNES))
        await harness.deliver(home_click(HOME_CLAIM, ticket_value(fresh.id, Seen.of(fresh)), BO))  # too late

    asyncio.run(scenario())
    assert env.ticket(fresh.id).assignee_id == env.agent("agnes@vendor.example").id
    (after,) = published(env.standin, AGNES)
    strings = texts(after)
    assert f"👀 You claimed *{fresh.reference}*." in strings and "*🙋 My open tickets* (2)" in strings
    (lost,) = published(env.standin, BO)
    assert f"⛔ *{fresh.reference}* is already claimed by <@{AGNES}>." in texts(lost)
    assert [row.payload for row in env.outbox("slack.card")][-1] == {"ticket_id": fresh.id}  # through the outbox


def test_open_as_ticket_from_home(desk_state):
    env, ids = desk_state

    async def scenario():
        await env.harness().deliver(home_click(HOME_INQUIRY_OPEN, inquiry_value(ids["inquiry"]), AGNES))

    asyncio.run(scenario())
    inquiry = env.inquiry(ids["inquiry"])
    assert inquiry.status == "opened" and inquiry.ticket_id is not None
    strings = texts(published(env.standin, AGNES)[-1])
    assert f"✅ Opened {env.ticket(inquiry.ticket_id).reference}." in strings and "*📨 Inquiries waiting* (0)" in strings


def test_someone_who_is_not_an_agent_sees_no_desk(desk_state):
    env, ids = desk_state

    async def scenario():
        harness = env.harness()
        await harness.deliver(env.home_opened(GUEST))
        await harness.deliver(home_click(HOME_CLAIM, ticket_value(ids["fresh"], Seen(1)), GUEST))

    asyncio.run(scenario())
    views = published(env.standin, GUEST)
    assert len(views) == 2 and all(len(v["blocks"]) == 1 for v in views)
    assert views[0]["blocks"][0]["text"]["text"].startswith("⛔ Only support agents")
    assert env.ticket(ids["fresh"]).assignee_id is None


def test_long_lists_stay_within_block_kits_limit_and_say_how_many_more(customer_env):
    env = customer_env
    with env.sessions() as session:
        session.query(Ticket).delete()
        session.commit()
    for n in range(30):
        env.add_ticket(subject=f"Ärende {n}", card=False)

    async def scenario():
        await env.harness().deliver(env.home_opened(AGNES))

    asyncio.run(scenario())
    (view,) = published(env.standin, AGNES)
    strings = texts(view)
    assert len(view["blocks"]) <= 100
    assert "*📭 Unassigned* (30)" in strings and "… and 20 more" in strings
