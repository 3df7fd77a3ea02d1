"""Reactions on a card (👀 claims, ✅ closes after a confirmation) and duplicate event deliveries."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.ids import CLOSE_CONFIRM
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    BO,
    GUEST,
    STAFF,
    click,
    ephemerals,
    reaction,
    slack_env,
    slack_standin,
)


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_eyes_on_a_card_claims_the_ticket(slack_env, slack_standin, mode):
    ticket = slack_env.add_ticket()
    slack_env.bump_revision(ticket.id)  # a reaction claims what is true now, whatever the card last showed

    async def scenario():
        await slack_env.harness(mode).deliver(reaction("eyes", ticket.slack_card_ts, BO))

    asyncio.run(scenario())
    bo = slack_env.agent("bo@vendor.example")
    assert slack_env.ticket(ticket.id).assignee_id == bo.id
    assert [(e.kind, e.agent_id) for e in slack_env.events("claimed")] == [("claimed", bo.id)]
    assert ephemerals(slack_standin) == []


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_the_same_event_delivered_twice_is_handled_once(slack_env, slack_standin, mode):
    ticket = slack_env.add_ticket()
    eyes = reaction("eyes", ticket.slack_card_ts, AGNES, event_id="Ev0TWICE")

    async def scenario():
        harness = slack_env.harness(mode)
        await harness.deliver(eyes)
        await harness.deliver(eyes)  # Slack's retry: same event_id
        await harness.deliver_all(reaction("eyes", ticket.slack_card_ts, BO, event_id="Ev0RACE"),
                                  reaction("eyes", ticket.slack_card_ts, BO, event_id="Ev0RACE"))

    asyncio.run(scenario())
    assert len(slack_env.events("claimed")) == 1
    assert slack_env.seen_events() == 2
    # Without the dedupe the retry would tell Agnes the ticket is "already claimed by" herself.
    assert ephemerals(slack_standin, AGNES) == []
    (lost,) = ephemerals(slack_standin, BO)  # Bo's one (deduplicated) reaction came too late
    assert lost["text"] == f"⛔ Already claimed by <@{AGNES}>."


def test_check_mark_asks_first_and_the_confirmation_closes(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    response_url = f"{slack_standin.base_url}response.close"

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(reaction("white_check_mark", ticket.slack_card_ts, AGNES))
        assert slack_env.ticket(ticket.id).status == "new"  # nothing yet: only asked
        (confirm,) = ephemerals(slack_standin, AGNES)
        button = confirm["blocks"][1]["elements"][0]
        await harness.deliver(click(button["action_id"], button["value"], AGNES, response_url=response_url))
        return confirm, button

    confirm, button = asyncio.run(scenario())
    assert confirm["channel"] == STAFF and button["action_id"] == CLOSE_CONFIRM
    assert button["text"]["text"] == f"Close {ticket.reference}"
    after = slack_env.ticket(ticket.id)
    assert after.status == "closed" and after.closed_at is not None
    assert "status_closed" in [row.payload["template"] for row in slack_env.outbox("email")]
    (replaced,) = slack_standin.calls("response.close")  # the confirmation gives way to the outcome
    assert replaced.params["replace_original"] is True and replaced.params["text"].startswith("🔒 Closed")


def test_check_mark_on_a_closed_ticket_and_reactions_elsewhere(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    slack_env.desk.set_status(ticket.id, slack_env.agent("agnes@vendor.example").id, 1, "closed")
    emails_before = len(slack_env.outbox("email"))

    async def scenario():
        harness = slack_env.harness("socket")
        await harness.deliver(reaction("white_check_mark", ticket.slack_card_ts, AGNES, event_id="Ev1"))
        await harness.deliver(reaction("eyes", "1699999999.000001", AGNES, event_id="Ev2"))  # not a card
        await harness.deliver(reaction("tada", ticket.slack_card_ts, AGNES, event_id="Ev3"))  # not ours

    asyncio.run(scenario())
    assert [e["text"] for e in ephemerals(slack_standin)] == [f"ℹ️ {ticket.reference} is already closed."]
    assert len(slack_env.outbox("email")) == emails_before
    assert slack_env.ticket(ticket.id).assignee_id is None
    assert slack_env.seen_events() == 2  # only reactions we act on are remembered


def test_a_reaction_by_someone_who_is_not_an_agent_changes_nothing(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        await slack_env.harness().deliver(reaction("eyes", ticket.slack_card_ts, GUEST))

    asyncio.run(scenario())
    assert slack_env.ticket(ticket.id).assignee_id is None and slack_env.events("claimed") == []
    (refusal,) = ephemerals(slack_standin, GUEST)
    assert refusal["text"].startswith("⛔ Only support agents")
