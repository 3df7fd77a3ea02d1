"""Clicks on a card that is out of date: refused only when what the action rests on changed meanwhile.

The card is the one the deliverer posted to the stand-in; the clicks carry its
controls' values as Slack would send them back (signed requests through the Bolt
app); the customer's reply goes through the e-mail pipeline. A card update waits
for the channel's pacing, so right after a customer's reply an agent clicks a card
drawn before it: that click must go through unless it conflicts.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timezone

import pytest

from bot.intake import pipeline
from storage.attachment_store import AttachmentStore
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.ids import CLAIM, ESCALATE, PRIORITY, REPLY, REPLY_TEXT, STATUS, parse_ticket_value, ticket_value
from bot.jobs.outbox_worker import OutboxWorker
from handlers.base import PipelineContext
from storage.models import Ticket
from storage.repositories import slack_queue
from tests.handlers.conftest import mail
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    STAFF,
    click,
    ephemerals,
    slack_env,
    slack_standin,
    submission,
    typed,
)


@pytest.fixture
def desk(slack_env, tmp_path):
    return StaleDesk(slack_env, tmp_path)


class StaleDesk:
    """The Slack env plus what makes a card go stale for real: posting it, and the customer writing."""

    def __init__(self, env, tmp_path):
        self.env = env
        self.services = {"calendar": env.calendar, "attachments": AttachmentStore(tmp_path / "attachments")}
        deliverer = SlackDeliverer(env.settings, make_sync_web_client(env.settings.slack), env.calendar, env.clock)
        self.worker = OutboxWorker(env.sessions, {"slack.card": deliverer.card}, env.clock, worker_id="cards")

    def ticket_with_card(self, **fields) -> Ticket:
        """A ticket (with ``fields`` set) whose card the deliverer posted to the stand-in."""
        ticket = self.env.add_ticket(card=False)
        with self.env.sessions() as session:
            row = session.get(Ticket, ticket.id)
            for name, value in fields.items():
                setattr(row, name, value)
            slack_queue.queue_card(session, row, self.env.now)
            session.commit()
        self.post_cards()
        return self.env.ticket(ticket.id)

    def post_cards(self) -> None:
        while self.worker.run_once():
            pass

    def customer_writes(self, ticket: Ticket, text: str = "Här är loggen ni bad om.") -> None:
        """The contact replies by e-mail; the pipeline appends it (the card in Slack is not updated)."""
        raw = mail(subject=f"SV: [{ticket.reference}] {ticket.subject}", body=text)
        with self.env.sessions() as session:
            ctx = PipelineContext(session, self.env.settings, self.env.now.astimezone(timezone.utc), raw=raw,
                                  services=self.services)
            assert pipeline.run("email", ctx).disposition == "processed"
            session.commit()

    def card_value(self, ticket: Ticket, action_id: str, choice: str | None = None) -> str:
        """The value the posted card's control carries (a select's option for ``choice``)."""
        card = next(m for m in self.env.standin.messages(STAFF) if m["ts"] == ticket.slack_card_ts)
        if action_id in (PRIORITY, STATUS):  # behind "⋯" now; an older card's select carries the same "seen"
            more = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                        if e["action_id"] == "card_more")
            shown = parse_ticket_value(more["options"][0]["value"])
            return ticket_value(shown.ticket_id, shown.seen, choice)
        control = next(e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]
                       if e["action_id"] == action_id)
        if choice is None:
            return control["value"]
        return next(o["value"] for o in control["options"] if json.loads(o["value"]).get("v") == choice)

    def click(self, ticket: Ticket, action_id: str, choice: str | None = None, user: str = AGNES) -> dict:
        return click(action_id, self.card_value(ticket, action_id, choice), user, ts=ticket.slack_card_ts,
                     select=choice is not None)


def run(env, *payloads) -> None:
    async def scenario():
        harness = env.harness()
        for payload in payloads:
            await harness.deliver(payload)
    asyncio.run(scenario())


def test_a_claim_right_after_the_customer_wrote_goes_through(desk, slack_standin):
    ticket = desk.ticket_with_card()
    desk.customer_writes(ticket)
    assert desk.env.ticket(ticket.id).revision > ticket.revision  # the card in Slack is out of date

    run(desk.env, desk.click(ticket, CLAIM))
    agnes = desk.env.agent("agnes@vendor.example")
    assert desk.env.ticket(ticket.id).assignee_id == agnes.id
    assert [e.kind for e in desk.env.events("claimed")] == ["claimed"]
    assert ephemerals(slack_standin) == []


def test_an_unrelated_change_by_another_agent_does_not_block_a_click_but_a_conflicting_one_does(desk, slack_standin):
    ticket = desk.ticket_with_card()
    bo = desk.env.agent("bo@vendor.example")
    assert desk.env.desk.set_priority(ticket.id, bo.id, ticket.revision, "high").ok  # Bo, from a fresh card

    run(desk.env, desk.click(ticket, ESCALATE, "2"), desk.click(ticket, PRIORITY, "urgent"))
    after = desk.env.ticket(ticket.id)
    assert (after.line, after.priority) == (2, "high")  # the escalation went through; Bo's priority stands
    (stale,) = ephemerals(slack_standin, AGNES)
    assert stale["text"] == ("⛔ This card was out of date (the priority is now high); it has been refreshed. "
                             "Please check and try again.")
    assert [e.kind for e in desk.env.events()][-2:] == ["priority_set", "escalated"]


def test_a_status_choice_after_the_customer_reopened_the_case_is_refused(desk, slack_standin):
    ticket = desk.ticket_with_card(status="waiting_on_customer")
    desk.customer_writes(ticket, "Det fungerar fortfarande inte.")
    assert desk.env.ticket(ticket.id).status == "open"

    run(desk.env, desk.click(ticket, STATUS, "closed"))
    after = desk.env.ticket(ticket.id)
    assert (after.status, after.closed_at) == ("open", None)
    assert desk.env.outbox("email") == []  # no closing mail, no survey
    (stale,) = ephemerals(slack_standin, AGNES)
    assert stale["text"].startswith("⛔ This card was out of date (the status is now open)")
    refresh = desk.env.outbox("slack.card")[-1]
    assert refresh.idempotency_key.startswith(f"card:{ticket.id}:r{after.revision}:refresh:")


def test_a_reply_typed_while_the_customer_added_to_an_open_case_is_sent(desk, slack_standin):
    ticket = desk.ticket_with_card()

    async def scenario():
        harness = desk.env.harness()
        await harness.deliver(desk.click(ticket, REPLY))
        view = slack_standin.calls("views.open")[0].response["view"]
        desk.customer_writes(ticket, "En sak till: det gäller bara PDF-exporten.")
        await harness.deliver(submission(view, typed(view, REPLY_TEXT, "Tack, vi tittar på PDF-exporten.")))

    asyncio.run(scenario())
    [sent] = desk.env.outbox("email")
    assert sent.payload["template"] == "agent_reply"
    assert desk.env.ticket(ticket.id).status == "waiting_on_customer"
    assert [e["text"] for e in ephemerals(slack_standin, AGNES)] == [
        f"📤 Your reply on {ticket.reference} is on its way; the thread says so once the mail server took it."]


def test_a_value_drawn_before_cards_carried_their_fields_is_checked_by_revision(desk, slack_standin):
    ticket = desk.ticket_with_card()
    desk.customer_writes(ticket)
    legacy = json.dumps({"t": ticket.id, "r": ticket.revision})  # what cards posted before the upgrade carry

    run(desk.env, click(CLAIM, legacy, ts=ticket.slack_card_ts))
    assert desk.env.ticket(ticket.id).assignee_id is None
    (stale,) = ephemerals(slack_standin, AGNES)
    assert stale["text"].startswith("⛔ This card was out of date")
