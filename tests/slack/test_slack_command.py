"""``/support``: a ticket's summary, mine, oncall, new (the form), link-channel; agents only; help otherwise."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.slack.ids import NEW_CONTACT, NEW_DESCRIPTION, NEW_PRIORITY, NEW_SUBJECT, NEW_TICKET_MODAL
from bot.slack.ids import CLAIM, REPLY
from storage.models import CustomerChannel, OncallShift, Ticket
from storage.repositories import messages
from tests.support.slack_customer_fixtures import (  # noqa: F401 - fixtures
    ASA,
    command_payload,
    customer_env,
    responses,
    send_command,
    slack_standin,
)
from tests.support.slack_fixtures import AGNES, BO, GUEST, STAFF, all_strings, ephemerals, submission


def run(env, *commands: tuple[str, str], mode: str = "http", channel: str = STAFF) -> list[dict]:
    """Type each ``(user, text)`` as ``/support text``; what ``respond`` sent, in order."""
    async def scenario():
        harness = env.harness(mode)
        for user, text in commands:
            await send_command(harness, command_payload(env, text, user, channel))

    asyncio.run(scenario())
    return responses(env.standin)


def strings(message: dict) -> list[str]:
    return list(all_strings(message.get("blocks") or [])) + [message["text"]]


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_a_reference_shows_the_tickets_card_with_its_buttons(customer_env, mode):
    env = customer_env
    ticket = env.add_ticket(subject="Exporten <!channel>")
    (summary, missing) = run(env, (AGNES, ticket.reference.lower()), (AGNES, "TC-2026-09999"), mode=mode)
    assert summary["response_type"] == "ephemeral" and summary["unfurl_links"] is False
    assert summary["blocks"][0]["text"]["text"].endswith(f"{ticket.reference} · Exporten &lt;!channel&gt;")
    actions = [e["action_id"] for b in summary["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert CLAIM in actions and REPLY in actions
    assert missing["text"] == "⛔ There is no ticket TC-2026-09999."


def test_mine_lists_the_agents_open_tickets(customer_env):
    env = customer_env
    first, second, other = env.add_ticket(subject="Ett"), env.add_ticket(subject="Två"), env.add_ticket(subject="Tre")
    agnes, bo = env.agent("agnes@vendor.example"), env.agent("bo@vendor.example")
    env.desk.claim(first.id, agnes.id, 1)
    env.desk.claim(second.id, agnes.id, 1)
    env.desk.claim(other.id, bo.id, 1)
    (mine,) = run(env, (AGNES, "mine"))
    text = "\n".join(strings(mine))
    assert "*🙋 Your open tickets* (2)" in text
    assert first.reference in text and second.reference in text and other.reference not in text


def test_oncall_names_who_is_on_call_now(customer_env):
    env = customer_env
    with env.sessions() as session:
        session.add(OncallShift(agent_id=env.agent("bo@vendor.example").id, starts_at=env.now - timedelta(hours=1),
                                ends_at=env.now + timedelta(hours=1)))
        session.commit()
    (oncall,) = run(env, (AGNES, "oncall"))
    assert oncall["text"] == "📟 On call now (10:15): Bo Berg (bo@vendor.example, from the shift)"


def test_new_opens_a_form_and_its_ticket_gets_the_receipt_by_mail_and_a_card(customer_env):
    env = customer_env

    async def scenario():
        harness = env.harness()
        await send_command(harness, command_payload(env, "new", BO))
        (opened,) = env.standin.calls("views.open")
        assert opened.params["trigger_id"] == f"trigger-{BO}-support"
        form = opened.response["view"]
        assert form["callback_id"] == NEW_TICKET_MODAL
        wrong = await harness.deliver(submission(form, _values("nobody@kund.se", "", "x", "high"), BO))
        right = await harness.deliver(submission(form, _values(
            "John@Kund.se", "Servern nere", "Ringde 10:05: inget fungerar.", "urgent"), BO))
        return wrong, right

    wrong, right = asyncio.run(scenario())
    assert json.loads(wrong.body) == {"response_action": "errors", "errors": {
        NEW_CONTACT: "No registered contact has this address.", NEW_SUBJECT: "Write a subject."}}
    assert right.body in ("", None)
    (ticket,) = env.tickets()
    assert (ticket.origin, ticket.subject, ticket.priority, ticket.customer_channel) == (
        "staff", "Servern nere", "urgent", None)
    (description,) = [m for m in env.messages(ticket.id) if m.direction == "inbound"]
    assert description.text == "Ringde 10:05: inget fungerar." and description.channel == "staff"
    (receipt,) = env.outbox("email")
    assert receipt.payload["template"] == "case_received" and receipt.payload["to"] == ["john@kund.se"]
    assert [row.payload for row in env.outbox("slack.card")] == [{"ticket_id": ticket.id}]
    (audit,) = env.outbox("slack.audit")
    assert (audit.payload["icon"], audit.payload["text"], audit.payload["actor_slack_id"]) == (
        "📞", "opened on the customer's behalf", BO)  # Bo was linked to his Slack user by the command
    (done,) = ephemerals(env.standin, BO)
    assert done["channel"] == STAFF and done["text"].startswith(f"📞 Opened {ticket.reference} for john@kund.se")


def _values(email: str, subject: str, description: str, priority: str) -> dict:
    return {
        NEW_CONTACT: {NEW_CONTACT: {"type": "email_text_input", "value": email}},
        NEW_SUBJECT: {NEW_SUBJECT: {"type": "plain_text_input", "value": subject}},
        NEW_DESCRIPTION: {NEW_DESCRIPTION: {"type": "plain_text_input", "value": description}},
        NEW_PRIORITY: {NEW_PRIORITY: {"type": "static_select", "selected_option": {"value": priority}}},
    }


def test_link_channel_makes_the_channel_a_customer_channel(customer_env):
    env = customer_env
    said = run(env, (AGNES, "link-channel 1001"), (AGNES, "link-channel 4711"), (AGNES, "link-channel"),
               channel="C0NYKUND")
    assert said[0]["text"].startswith("🔗 This channel is now a customer channel of Kommunen AB (1001).")
    assert said[1]["text"] == "⛔ No organisation has the customer number 4711."
    assert "Say which organisation" in said[2]["blocks"][0]["text"]["text"]
    with env.sessions() as session:
        (linked,) = session.query(CustomerChannel).all()
    assert linked.channel_id == "C0NYKUND" and linked.linked_by_agent_id == env.agent("agnes@vendor.example").id

    post = env.post("Hej från den nya kanalen", ASA, channel="C0NYKUND")

    async def scenario():
        await env.harness().deliver(post)

    asyncio.run(scenario())
    (inquiry,) = env.inquiries()
    assert inquiry.slack_key == f"slack:C0NYKUND:{post['event']['ts']}" and inquiry.contact_id is not None


def test_our_own_channels_cannot_be_linked(customer_env):
    env = customer_env
    (refused,) = run(env, (AGNES, "link-channel 1001"), channel=STAFF)
    assert refused["text"].startswith("⛔ Only a customer's shared channel can be linked")
    with env.sessions() as session:
        assert session.query(CustomerChannel).count() == 0


def test_only_agents_and_unknown_subcommands_get_help(customer_env):
    env = customer_env
    ticket = env.add_ticket()
    guest, unknown, bare = run(env, (GUEST, ticket.reference), (AGNES, "frobnicate now"), (AGNES, ""))
    assert guest["text"].startswith("⛔ Only support agents") and ticket.reference not in json.dumps(guest)
    assert "“frobnicate” is not something /support knows." in unknown["blocks"][0]["text"]["text"]
    assert "/support link-channel ORG" in bare["blocks"][0]["text"]["text"] and "⛔" not in bare["blocks"][0]["text"]["text"]
    assert env.standin.calls("views.open") == []


def test_search_lists_matching_tickets_with_everything_escaped(customer_env):
    env = customer_env
    hostile = env.add_ticket(subject="Exporten <!channel> <@U0ANNA0001> <https://evil.example|bank> & *fet*")
    printer = env.add_ticket(subject="Skrivaren krånglar")
    with env.sessions() as session:  # the index holds a ticket from its first message on
        for ticket, key in ((hostile, "<h@kund.se>"), (printer, "<p@kund.se>")):
            messages.append_message(session, session.get(Ticket, ticket.id), direction="inbound", channel="email",
                                    text="Hej, se rubriken.", message_id=key, created_at=env.now)
        session.commit()
    (found, nothing, empty) = run(env, (AGNES, "search exporten <!here>"), (AGNES, "search glögg"), (AGNES, "search"))
    text = "\n".join(strings(found))
    assert found["response_type"] == "ephemeral"
    assert hostile.reference in text and "Skrivaren" not in text
    assert "&lt;!channel&gt; &lt;@U0ANNA0001&gt; &lt;https://evil.example|bank&gt; &amp;" in text
    assert "“exporten &lt;!here&gt;”" in text
    assert "<!" not in text and "<@" not in text and "<https://evil" not in text
    assert f"<https://slack.com/archives/{STAFF}/p" in text  # our own link to the card
    assert "Nothing found for “glögg”" in "\n".join(strings(nothing))
    assert "/support search WORDS" in "\n".join(strings(empty))
