"""Customers writing in their Slack channel: the pipeline as for mail, every answer a reply in their thread."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.slack.ids import INQUIRY_OPEN, REPLY, REPLY_TEXT, inquiry_value
from bot.slack.listeners.customer_messages import inbound_message
from bot.intake.slack_runner import SlackIntake
from storage.models import Contact
from tests.support.slack_customer_fixtures import (  # noqa: F401 - fixtures
    ASA,
    CLOSED,
    CUSTOMER,
    OLLE,
    STRANGER,
    CustomerEnv,
    customer_env,
    slack_standin,
    ticket_policy_env,
)
from tests.support.slack_fixtures import AGNES, STAFF, all_strings, card_click, click, submission, typed

HOSTILE = "<!channel> <@U0BOSS> <https://evil.example|Klicka här> & @everyone"


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_a_new_case_out_of_hours_gets_the_portal_answer_with_the_next_opening_in_its_thread(customer_env, mode):
    env = customer_env
    env.now = CLOSED
    post = env.post("Exporten stannar vid 50 %\n\nHej! Vad gör vi? <@U0AGNES> tittar du?", ASA)
    ts = post["event"]["ts"]

    async def scenario():
        await env.harness(mode).deliver(post)

    asyncio.run(scenario())
    (inquiry,) = env.inquiries()
    assert (inquiry.kind, inquiry.channel, inquiry.slack_key) == ("new_case", "slack", f"slack:{CUSTOMER}:{ts}")
    assert inquiry.sender_email == "asa@kund.se" and inquiry.slack_user_id == ASA
    assert inquiry.subject == "Exporten stannar vid 50 %" and "@U0AGNES tittar du?" in inquiry.text
    assert env.contact("asa@kund.se").slack_user_id == ASA  # linked by the e-mail in her Slack profile
    assert env.outbox("email") == [] and env.tickets() == []
    assert env.autoreplies() == [(f"slack:{ASA}".lower(), "portal_redirect")]

    env.deliver_outbox()
    (answer,) = env.customer_posts()
    assert answer["thread_ts"] == ts and answer["unfurl_links"] is False and "link_names" not in answer
    assert "Vi öppnar igen *måndag 16 mars kl. 09:00*" in answer["text"]
    assert "https://portal.example.com/" in answer["text"] and answer["text"].startswith("Hej Åsa!")
    (notice,) = env.staff_posts()
    assert "New case in chat" in notice["text"] and "Åsa Andersson" in notice["text"]


def test_a_reply_in_the_thread_of_a_tickets_customer_message_is_appended_and_shown_to_staff(customer_env):
    env = customer_env
    first = env.post("Rapporten är tom", ASA)
    root = first["event"]["ts"]

    async def opened():
        harness = env.harness()
        await harness.deliver(first)
        (inquiry,) = env.inquiries()
        await harness.deliver(click(INQUIRY_OPEN, inquiry_value(inquiry.id), AGNES))  # "Open as ticket anyway"

    asyncio.run(opened())
    (ticket,) = env.tickets()
    assert (ticket.origin, ticket.customer_channel, ticket.customer_thread_ts) == ("slack", CUSTOMER, root)
    assert env.outbox("email") == []  # the receipt goes to the thread, not by mail
    (receipt,) = [row for row in env.outbox("slack.customer_reply") if ":case_received" in row.idempotency_key]
    assert receipt.payload["channel"] == CUSTOMER and receipt.payload["thread_ts"] == root
    env.deliver_outbox()
    env.now = CLOSED  # the reply comes on Saturday: appended, and answered with the next opening time
    reply = env.post("Här är loggen, <https://files.example/log|loggfilen> &amp; en bild", ASA, thread_ts=root,
                     files=[{"id": "F0LOG", "name": "export.log", "mimetype": "text/plain", "size": 2048}])

    async def replied():
        await env.harness().deliver(reply)

    asyncio.run(replied())
    appended = [m for m in env.messages(ticket.id) if m.slack_key == f"slack:{CUSTOMER}:{reply['event']['ts']}"]
    assert len(appended) == 1 and appended[0].direction == "inbound" and appended[0].channel == "slack"
    assert appended[0].text == "Här är loggen, loggfilen (https://files.example/log) & en bild"
    assert [e.kind for e in env.events("customer_replied")] == ["customer_replied"]
    assert env.inquiries()[0].status == "opened" and len(env.inquiries()) == 1  # no new inquiry
    timeline = [row.payload for row in env.outbox("slack.timeline")]
    assert [(p["kind"], p["attachments"]) for p in timeline][-1] == ("slack", ["export.log"])
    assert any(row.payload == {"ticket_id": ticket.id} for row in env.outbox("slack.card"))

    env.deliver_outbox()
    card_ts = env.ticket(ticket.id).slack_card_ts
    in_card_thread = [p for p in env.staff_posts() if p.get("thread_ts") == card_ts]
    assert any("Här är loggen" in s for p in in_card_thread for s in all_strings(p))
    assert any("export.log" in s for p in in_card_thread for s in all_strings(p))
    out_of_hours = [p for p in env.customer_posts() if p["thread_ts"] == root][-1]
    assert f"i ärende {ticket.reference}" in out_of_hours["text"] and "måndag 16 mars kl. 09:00" in out_of_hours["text"]


def _slack_ticket(env: CustomerEnv) -> tuple[int, str]:
    """A ticket opened from Åsa's top-level message under policy "ticket"; (ticket id, thread root ts)."""
    post = env.post("Inloggningen fungerar inte", ASA)

    async def scenario():
        await env.harness().deliver(post)

    asyncio.run(scenario())
    (ticket,) = env.tickets()
    return ticket.id, post["event"]["ts"]


def test_under_policy_ticket_a_new_message_opens_a_ticket_answered_in_its_thread(ticket_policy_env):
    env = ticket_policy_env
    ticket_id, root = _slack_ticket(env)
    ticket = env.ticket(ticket_id)
    assert (ticket.origin, ticket.customer_channel, ticket.customer_thread_ts) == ("slack", CUSTOMER, root)
    assert ticket.subject == "Inloggningen fungerar inte"
    env.deliver_outbox()
    (receipt,) = env.customer_posts()
    assert receipt["thread_ts"] == root and ticket.reference in receipt["text"]
    assert env.outbox("email") == []


def test_non_contacts_in_a_customer_channel_get_the_unknown_sender_answer_and_no_ticket(customer_env):
    env = customer_env
    stranger = env.post("Hej, jag vill ha hjälp", STRANGER)
    olle = env.post("Jag är kund hos er men i ett annat bolag", OLLE)
    again = env.post("Hallå?", STRANGER, thread_ts=stranger["event"]["ts"])

    async def scenario():
        harness = env.harness()
        for payload in (stranger, olle, again):
            await harness.deliver(payload)

    asyncio.run(scenario())
    assert env.tickets() == []
    assert [(i.kind, i.sender_email, i.contact_id) for i in env.inquiries()] == [
        ("unknown_sender", f"slack:{STRANGER}", None), ("unknown_sender", f"slack:{OLLE}", None),
        ("unknown_sender", f"slack:{STRANGER}", None)]
    # One answer per Slack user within the window: the stranger's second message gets none.
    assert env.autoreplies() == [(f"slack:{STRANGER}".lower(), "unknown_sender"), (f"slack:{OLLE}".lower(), "unknown_sender")]
    env.deliver_outbox()
    answers = env.customer_posts()
    assert [a["thread_ts"] for a in answers] == [stranger["event"]["ts"], olle["event"]["ts"]]
    assert all("inte är registrerad som kontaktperson" in a["text"] for a in answers)
    assert answers[0]["text"].startswith("Hej Sven!")


def test_the_same_message_delivered_twice_is_handled_once(customer_env):
    env = customer_env
    post = env.post("Skrivaren krånglar", ASA, event_id="Ev0TWICE")
    same_ts_new_event = env.post("Skrivaren krånglar", ASA, ts=post["event"]["ts"], event_id="Ev0OTHER")

    async def scenario():
        harness = env.harness()
        await harness.deliver(post)
        await harness.deliver(post)  # Slack's retry: the same event_id
        await harness.deliver_all(same_ts_new_event, same_ts_new_event)  # another envelope for the same channel+ts

    asyncio.run(scenario())
    assert len(env.inquiries()) == 1 and len(env.outbox("slack.customer_reply")) == 1
    assert env.seen_events() == 2
    assert len(env.standin.calls("users.info")) == 1  # after that, Åsa is linked


def test_bots_our_own_posts_edits_and_other_channels_are_ignored(customer_env):
    env = customer_env
    ignored = [
        env.post("Svar från supporten", "U0SUPPORTBOT", bot_id="B0SUPPORTBOT"),  # our own thread answer
        env.post("Build #12 failed", "U0CIBOT", bot_id="B0CI", subtype="bot_message"),
        env.post("", ASA, subtype="message_changed", message={"text": "ändrad", "user": ASA}),
        env.post("", ASA, subtype="message_deleted", deleted_ts="1700000001.000100"),
        env.post("<@U0ASA> has joined the channel", ASA, subtype="channel_join"),
        env.post("Intern kommentar i kortets tråd", AGNES, channel=STAFF, thread_ts="1700000001.000100"),
        env.post("Hej bot", ASA, channel="D0DIRECT", channel_type="im"),
    ]

    async def scenario():
        harness = env.harness()
        for payload in ignored:
            await harness.deliver(payload)

    asyncio.run(scenario())
    assert env.inquiries() == [] and env.tickets() == [] and env.outbox() == []
    assert env.seen_events() == 0 and env.standin.calls("users.info") == []


def test_customer_text_reaches_staff_escaped_and_the_answer_names_nobody(customer_env):
    env = customer_env
    env.add_contact("evil@kund.se", f"{HOSTILE} Smith", "en")
    env.standin.add_user("U0EVIL", email="evil@kund.se", real_name=f"{HOSTILE} Smith")
    post = env.post(f"Hjälp {HOSTILE}", "U0EVIL")

    async def scenario():
        await env.harness().deliver(post)

    asyncio.run(scenario())
    env.deliver_outbox()
    sent = [c for c in env.standin.calls("chat.postMessage")]
    assert len(sent) == 2  # the thread answer and the staff notice
    for call in sent:
        for text in all_strings(call.params):
            assert re.findall(r"<[^>]*>", text) == [], (call.params["channel"], text)
    (answer,) = env.customer_posts()
    assert answer["text"].startswith("Hello &lt;!channel&gt;")  # the greeting's name is escaped


def test_an_agents_reply_on_a_slack_ticket_goes_to_the_customers_thread_not_by_mail(ticket_policy_env):
    env = ticket_policy_env
    ticket_id, root = _slack_ticket(env)
    env.deliver_outbox()  # the card, so the Reply button is there to click
    ticket = env.ticket(ticket_id)

    async def scenario():
        harness = env.harness()
        await harness.deliver(card_click(REPLY, ticket, AGNES))
        (opened,) = env.standin.calls("views.open")
        modal = opened.response["view"]
        header = modal["blocks"][0]["elements"][0]["text"]
        assert "in their Slack thread" in header and "e-mail" not in header
        await harness.deliver(submission(modal, typed(modal, REPLY_TEXT, f"Starta om tjänsten {HOSTILE}")))

    asyncio.run(scenario())
    assert env.outbox("email") == []
    replies = [row for row in env.outbox("slack.customer_reply") if row.idempotency_key.endswith(":agent_reply")]
    assert len(replies) == 1 and replies[0].payload["thread_ts"] == root
    assert env.ticket(ticket_id).status == "waiting_on_customer"

    env.deliver_outbox()
    answer = env.customer_posts()[-1]
    assert answer["thread_ts"] == root and answer["channel"] == CUSTOMER
    assert answer["text"].startswith("Hej Åsa,\n\nStarta om tjänsten &lt;!channel&gt;")
    assert answer["text"].endswith("Agnes Agent, Kundtjänst")
    outbound = [m for m in env.messages(ticket_id) if m.direction == "outbound" and m.channel == "slack"]
    assert outbound[-1].agent_id == env.agent("agnes@vendor.example").id and not outbound[-1].automatic
    assert [e.data["thread_ts"] for e in env.events("slack_reply_sent")][-1] == root
    card_ts = env.ticket(ticket_id).slack_card_ts
    sent_lines = [p["text"] for p in env.staff_posts() if p.get("thread_ts") == card_ts]
    assert f"📤 sent to customer by <@{AGNES}>" in sent_lines


def test_when_slack_cannot_say_who_wrote_nothing_is_decided_and_staff_are_told(customer_env):
    env = customer_env
    env.standin.fail_next("users.info", status=500, count=1)
    post = env.post("Hjälp!", ASA)

    async def scenario():
        await env.harness().deliver(post)

    asyncio.run(scenario())
    assert env.inquiries() == [] and env.outbox("slack.customer_reply") == []
    (alert,) = env.outbox("slack.alert")
    assert "was not processed" in alert.payload["text"] and CUSTOMER in alert.payload["text"]


def test_a_message_that_fails_in_the_pipeline_is_rolled_back_and_staff_are_alerted(customer_env, tmp_path):
    env = customer_env
    broken = tmp_path / "slack" / "customer" / "sv"
    broken.mkdir(parents=True)
    (broken / "portal_redirect.jinja").write_text("Hej {{ kontakt_namn }}!", encoding="utf-8")  # a typo
    settings = env.settings.model_copy(update={"desk": env.settings.desk.model_copy(
        update={"templates_dir": str(tmp_path)})})
    intake = SlackIntake(env.sessions, settings, env.clock, {"calendar": env.calendar})
    message = inbound_message(env.post("Ny fråga", ASA)["event"], {})
    with env.sessions() as session:  # Åsa linked earlier, so no profile is needed
        session.query(Contact).filter_by(email="asa@kund.se").update({"slack_user_id": ASA})
        session.commit()

    outcome = intake.process(message)
    assert outcome.disposition == "failed" and "UndefinedError" in outcome.reason
    assert env.inquiries() == [] and env.autoreplies() == [] and env.outbox("slack.customer_reply") == []
    (alert,) = env.outbox("slack.alert")
    assert message.message_id.split(":")[-1] in alert.idempotency_key and "could not be processed" in alert.payload["text"]
