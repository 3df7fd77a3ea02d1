"""The card's controls through the Bolt app: claim races, stale cards, who may act, the selects."""

from __future__ import annotations

import asyncio
import threading

import pytest

from bot.slack.ids import CLAIM, ESCALATE, PRIORITY, STATUS, UNASSIGN
from bot.desk.staff_actions import Desk
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    BO,
    GUEST,
    card_click,
    click,
    ephemerals,
    slack_env,
    slack_standin,
)


class RacingDesk(Desk):
    """Lets both claims into the database at the same moment, so the compare-and-set decides, not luck."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.barrier = threading.Barrier(2, timeout=10)

    def claim(self, *args, **kwargs):
        self.barrier.wait()
        return super().claim(*args, **kwargs)


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_two_agents_claim_at_once_one_wins(slack_env, slack_standin, mode):
    ticket = slack_env.add_ticket()
    desk = RacingDesk(slack_env.sessions, slack_env.settings, slack_env.calendar, slack_env.clock)

    async def scenario():
        harness = slack_env.harness(mode, desk)
        await harness.deliver_all(card_click(CLAIM, ticket, AGNES), card_click(CLAIM, ticket, BO))

    asyncio.run(scenario())
    claimed = slack_env.events("claimed")
    assert len(claimed) == 1
    winner = claimed[0].agent_id
    assert slack_env.ticket(ticket.id).assignee_id == winner
    winner_slack = AGNES if winner == slack_env.agent("agnes@vendor.example").id else BO
    loser_slack = BO if winner_slack == AGNES else AGNES
    (refusal,) = ephemerals(slack_standin)
    assert refusal["user"] == loser_slack and refusal["channel"] == "C0STAFF"
    assert f"Already claimed by <@{winner_slack}>" in refusal["text"]
    assert ephemerals(slack_standin, winner_slack) == []  # the card update says it to the winner


def test_a_click_on_a_stale_card_changes_nothing_and_refreshes_it(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    slack_env.bump_revision(ticket.id, status="open")  # changed elsewhere; the card still shows "new" at r1

    async def scenario():
        await slack_env.harness().deliver(card_click(STATUS, ticket, choice="closed"))

    asyncio.run(scenario())
    after = slack_env.ticket(ticket.id)
    assert (after.status, after.closed_at, after.revision) == ("open", None, 2)
    assert slack_env.outbox("email") == []
    assert [e.kind for e in slack_env.events()] == ["created"]
    [refresh] = [row.idempotency_key for row in slack_env.outbox("slack.card")]
    assert refresh.startswith(f"card:{ticket.id}:r2:refresh:")  # a new key each time, so it is never swallowed
    (stale,) = ephemerals(slack_standin)
    assert stale["text"] == ("⛔ This card was out of date (the status is now open); it has been refreshed. "
                             "Please check and try again.")


def test_someone_who_is_not_an_agent_is_refused_and_nothing_changes(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    outbox_before = len(slack_env.outbox())

    async def scenario():
        harness = slack_env.harness()
        for payload in (card_click(CLAIM, ticket, GUEST), card_click(PRIORITY, ticket, GUEST, choice="urgent"),
                        card_click(STATUS, ticket, GUEST, choice="closed")):
            await harness.deliver(payload)

    asyncio.run(scenario())
    after = slack_env.ticket(ticket.id)
    assert (after.assignee_id, after.priority, after.status, after.revision) == (None, "normal", "new", 1)
    assert len(slack_env.outbox()) == outbox_before
    assert [e.kind for e in slack_env.events()] == ["created"]
    refusals = ephemerals(slack_standin, GUEST)
    assert len(refusals) == 3 and all(r["text"].startswith("⛔ Only support agents can do that") for r in refusals)
    # Asked Slack once who U0GUEST is; the answer is cached in the process.
    assert [c.params["user"] for c in slack_standin.calls("users.info")] == [GUEST]


def test_an_agent_is_found_by_e_mail_once_and_linked(slack_env, slack_standin):
    first, second = slack_env.add_ticket(), slack_env.add_ticket(subject="Andra ärendet")
    assert slack_env.agent("bo@vendor.example").slack_user_id is None

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(CLAIM, first, BO))
        await harness.deliver(card_click(CLAIM, second, BO))

    asyncio.run(scenario())
    bo = slack_env.agent("bo@vendor.example")
    assert bo.slack_user_id == BO  # persisted: the next process finds it in the database
    assert {slack_env.ticket(t.id).assignee_id for t in (first, second)} == {bo.id}
    assert len(slack_standin.calls("users.info")) == 1
    assert ephemerals(slack_standin) == []


def test_selects_and_unassign_call_the_desk(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness("socket")
        await harness.deliver(card_click(CLAIM, ticket))
        await harness.deliver(card_click(ESCALATE, slack_env.ticket(ticket.id), choice="2"))
        await harness.deliver(card_click(PRIORITY, slack_env.ticket(ticket.id), choice="urgent"))
        await harness.deliver(card_click(STATUS, slack_env.ticket(ticket.id), choice="waiting_on_customer"))
        await harness.deliver(card_click(UNASSIGN, slack_env.ticket(ticket.id)))

    asyncio.run(scenario())
    after = slack_env.ticket(ticket.id)
    assert (after.line, after.priority, after.status, after.assignee_id) == (2, "urgent", "waiting_on_customer", None)
    assert after.first_response_at is not None
    assert [e.kind for e in slack_env.events()][1:] == [
        "first_response", "claimed", "escalated", "priority_set", "status_changed", "unassigned"]
    assert [row.payload["template"] for row in slack_env.outbox("email")] == ["status_escalated"]
    assert ephemerals(slack_standin) == []


def test_an_unreadable_value_is_refused_without_touching_anything(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(click(CLAIM, '{"t": "1; drop table tickets", "r": 1}'))
        await harness.deliver(card_click(ESCALATE, ticket, choice="seven"))

    asyncio.run(scenario())
    assert slack_env.ticket(ticket.id).revision == 1
    assert [e["text"] for e in ephemerals(slack_standin)] == [
        "⛔ That button or form was not understood, so nothing was changed."] * 2


def test_when_slack_cannot_say_who_clicked_nothing_happens_and_nothing_is_remembered(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    slack_standin.fail_next("users.info", status=500)

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(CLAIM, ticket, BO))
        assert slack_env.events("claimed") == []
        await harness.deliver(card_click(CLAIM, ticket, BO))  # asked again, not a cached refusal

    asyncio.run(scenario())
    (first,) = ephemerals(slack_standin, BO)
    assert first["text"].startswith("⛔ Slack could not tell us who you are just now; nothing was changed.")
    assert [e.agent_id for e in slack_env.events("claimed")] == [slack_env.agent("bo@vendor.example").id]
    assert len(slack_standin.calls("users.info")) == 2
