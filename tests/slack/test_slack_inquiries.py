"""The inquiry notice's buttons: open as a ticket anyway, or dismiss."""

from __future__ import annotations

import asyncio

from bot.slack.ids import INQUIRY_DISMISS, INQUIRY_OPEN, inquiry_value
from storage.models import Ticket
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    BO,
    GUEST,
    click,
    ephemerals,
    slack_env,
    slack_standin,
)


def test_open_as_ticket_anyway_creates_the_ticket_and_the_receipt(slack_env, slack_standin):
    inquiry_id = slack_env.add_inquiry()

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(click(INQUIRY_OPEN, inquiry_value(inquiry_id), AGNES))
        await harness.deliver(click(INQUIRY_OPEN, inquiry_value(inquiry_id), BO))  # a second look, too late

    asyncio.run(scenario())
    inquiry = slack_env.inquiry(inquiry_id)
    assert inquiry.status == "opened" and inquiry.handled_by_agent_id == slack_env.agent("agnes@vendor.example").id
    with slack_env.sessions() as session:
        (ticket,) = session.query(Ticket).all()
    assert ticket.id == inquiry.ticket_id and ticket.subject == "Ny fråga om exporten"
    (receipt,) = slack_env.outbox("email")
    assert receipt.payload["template"] == "case_received" and receipt.payload["to"] == ["asa@kund.se"]
    assert [row.payload for row in slack_env.outbox("slack.card")] == [{"ticket_id": ticket.id}]
    assert [e["text"] for e in ephemerals(slack_standin, AGNES)] == [f"✅ Opened {ticket.reference}."]
    assert [e["text"] for e in ephemerals(slack_standin, BO)] == ["⛔ This inquiry has already been handled."]


def test_dismiss_leaves_the_portal_answer_standing(slack_env, slack_standin):
    inquiry_id = slack_env.add_inquiry()

    async def scenario():
        harness = slack_env.harness("socket")
        await harness.deliver(click(INQUIRY_DISMISS, inquiry_value(inquiry_id), GUEST))
        assert slack_env.inquiry(inquiry_id).status == "waiting"  # refused: not an agent
        await harness.deliver(click(INQUIRY_DISMISS, inquiry_value(inquiry_id), BO))

    asyncio.run(scenario())
    inquiry = slack_env.inquiry(inquiry_id)
    assert inquiry.status == "dismissed" and inquiry.ticket_id is None
    assert slack_env.outbox("email") == [] and len(slack_env.outbox("slack.inquiry")) == 1
    assert [e["text"] for e in ephemerals(slack_standin, BO)] == ["🗑️ Dismissed; the portal answer stands."]
    assert ephemerals(slack_standin, GUEST)[0]["text"].startswith("⛔ Only support agents")
