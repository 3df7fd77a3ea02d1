"""Replying to the customer from Slack: the modal, canned replies, the shortcut, and what stays internal."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.ids import REPLY, REPLY_CANNED, REPLY_TEXT, REQUEST_INFO
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    BO,
    STAFF,
    card_click,
    ephemerals,
    event,
    message_shortcut,
    slack_env,
    slack_standin,
    submission,
    typed,
    view_action,
    with_state,
)


def contexts(view: dict) -> list[str]:
    return [b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context"]


def text_input(view: dict) -> dict:
    return next(b["element"] for b in view["blocks"] if b["type"] == "input")


@pytest.mark.parametrize(("contact", "greeting", "sign_off"), [
    ("asa@kund.se", "Hej Åsa,", "Med vänliga hälsningar"),
    ("john@kund.se", "Hello John,", "Kind regards"),
])
def test_the_reply_button_opens_the_modal_in_the_contacts_language(slack_env, slack_standin, contact, greeting,
                                                                   sign_off):
    ticket = slack_env.add_ticket(contact)

    async def scenario():
        await slack_env.harness().deliver(card_click(REPLY, ticket))

    asyncio.run(scenario())
    (opened,) = slack_standin.calls("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"] == f"trigger-{AGNES}-{REPLY}"
    assert view["callback_id"] == "reply_modal"
    assert contexts(view)[1:] == [greeting, f"{sign_off}\nAgnes Agent\nKundtjänst"]
    language = "sv" if contact == "asa@kund.se" else "en"
    titles = [o["text"]["text"] for o in view["blocks"][1]["elements"][0]["options"]]
    assert len(titles) == 3 and titles[0] == {"sv": "Fjärrsession: vi vill koppla upp oss",
                                              "en": "Remote session: we would like to connect"}[language]
    assert "initial_value" not in text_input(view)
    assert slack_env.ticket(ticket.id).revision == 1  # opening the modal changes nothing


def test_a_canned_reply_is_appended_to_what_was_typed(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(REPLY, ticket))
        view = slack_standin.calls("views.open")[0].response["view"]
        state = typed(view, REPLY_TEXT, "Tack för loggarna.")
        await harness.deliver(view_action(REPLY_CANNED, with_state(view, state), "20_database_upload"))

    asyncio.run(scenario())
    (update,) = slack_standin.calls("views.update")
    opened = slack_standin.calls("views.open")[0].response["view"]
    assert update.ok and update.params["view_id"] == opened["id"] and update.params["hash"] == opened["hash"]
    prefill = text_input(update.params["view"])["initial_value"]
    assert prefill.startswith("Tack för loggarna.\n\nFör att kunna återskapa felet hos oss behöver vi en kopia")
    assert f"döp den efter ärendenumret, till exempel {ticket.reference}.zip" in prefill
    assert slack_env.outbox("email") == []


def test_sending_the_reply_queues_the_mail_and_waits_on_the_customer(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness("socket")
        await harness.deliver(card_click(REPLY, ticket))
        view = slack_standin.calls("views.open")[0].response["view"]
        return await harness.deliver(submission(view, typed(view, REPLY_TEXT, "Exporten är rättad i 4.2.1.")))

    response = asyncio.run(scenario())
    assert response.body == ""  # the modal closes
    (mail,) = slack_env.outbox("email")
    assert mail.payload["template"] == "agent_reply" and mail.payload["to"] == ["asa@kund.se"]
    assert mail.payload["context"]["body"] == "Exporten är rättad i 4.2.1."  # the template greets
    assert mail.payload["context"]["agent_name"] == "Agnes Agent"
    after = slack_env.ticket(ticket.id)
    assert after.status == "waiting_on_customer" and after.first_response_at is not None
    assert [e.kind for e in slack_env.events()] == ["created", "first_response", "agent_replied"]
    (notice,) = ephemerals(slack_standin, AGNES)
    assert notice["channel"] == STAFF and notice["text"].startswith(f"📤 Your reply on {ticket.reference} is on its way")


def test_an_empty_reply_keeps_the_modal_open_with_an_error(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(REPLY, ticket))
        view = slack_standin.calls("views.open")[0].response["view"]
        return await harness.deliver(submission(view, typed(view, REPLY_TEXT, "  \n ")))

    response = asyncio.run(scenario())
    view = slack_standin.calls("views.open")[0].response["view"]
    input_block = next(b["block_id"] for b in view["blocks"] if b["type"] == "input")
    assert '"response_action": "errors"' in response.body and input_block in response.body
    assert slack_env.outbox("email") == [] and slack_env.ticket(ticket.id).status == "new"


def test_a_reply_on_a_ticket_answered_meanwhile_is_not_sent_and_the_text_comes_back(slack_env, slack_standin):
    ticket = slack_env.add_ticket()

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(REPLY, ticket))
        view = slack_standin.calls("views.open")[0].response["view"]
        slack_env.bump_revision(ticket.id, status="waiting_on_customer")  # Bo answered while Agnes typed
        await harness.deliver(submission(view, typed(view, REPLY_TEXT, "Prova <igen> & hör av dig.")))

    asyncio.run(scenario())
    assert slack_env.outbox("email") == []
    assert slack_env.ticket(ticket.id).status == "waiting_on_customer"
    (notice,) = ephemerals(slack_standin, AGNES)
    assert notice["text"].startswith("⛔ This card was out of date (the status is now waiting on customer)")
    assert "> Prova &lt;igen&gt; &amp; hör av dig." in [b["text"]["text"] for b in notice["blocks"]]


def test_the_shortcut_on_an_own_thread_message_opens_the_modal_with_it(slack_env, slack_standin):
    ticket = slack_env.add_ticket("john@kund.se")
    message = {"type": "message", "user": AGNES, "ts": "1700005000.000100", "thread_ts": ticket.slack_card_ts,
               "text": "Fixed in 4.2.1 &amp; later, see <https://docs.example.com/x|the notes> &lt;3 <@U0BO>"}

    async def scenario():
        await slack_env.harness().deliver(message_shortcut(message))

    asyncio.run(scenario())
    (opened,) = slack_standin.calls("views.open")
    assert text_input(opened.params["view"])["initial_value"] == (
        "Fixed in 4.2.1 & later, see the notes (https://docs.example.com/x) <3 @U0BO")
    assert contexts(opened.params["view"])[1] == "Hello John,"
    assert slack_env.outbox("email") == [] and ephemerals(slack_standin) == []


def test_the_shortcut_on_someone_elses_message_is_refused(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    customer_words = {"type": "message", "user": BO, "ts": "1700005000.000200", "thread_ts": ticket.slack_card_ts,
                      "text": "Bo's internal note"}
    outside = {"type": "message", "user": AGNES, "ts": "1700005000.000300", "text": "not in a card thread"}

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(message_shortcut(customer_words))
        await harness.deliver(message_shortcut(outside))

    asyncio.run(scenario())
    assert slack_standin.calls("views.open") == []
    first, second = ephemerals(slack_standin, AGNES)
    assert first["text"].startswith("⛔ Only your own messages") and first["thread_ts"] == ticket.slack_card_ts
    assert second["text"].startswith("⛔ “Send to customer” works on your messages in the thread")


@pytest.mark.parametrize("mode", ["http", "socket"])
def test_talk_in_a_cards_thread_never_reaches_the_customer(slack_env, slack_standin, mode):
    ticket = slack_env.add_ticket()
    talk = event({"type": "message", "channel": STAFF, "channel_type": "group", "user": AGNES,
                  "text": "Kunden verkar ha fel version, jag ringer dem", "ts": "1700005000.000400",
                  "thread_ts": ticket.slack_card_ts, "event_ts": "1700005000.000400"}, "Ev0THREAD")

    async def scenario():
        return await slack_env.harness(mode).send(talk)

    asyncio.run(scenario())
    assert slack_env.outbox("email") == []
    assert slack_env.ticket(ticket.id).revision == 1
    assert [c.method for c in slack_standin.calls()] in ([], ["auth.test"])


def test_request_information_asks_the_customer_and_waits(slack_env, slack_standin):
    ticket = slack_env.add_ticket("john@kund.se")

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(REQUEST_INFO, ticket, BO))
        view = slack_standin.calls("views.open")[0].response["view"]
        empty = await harness.deliver(submission(view, typed(view, "request_info_needed", " "), BO))
        await harness.deliver(submission(view, typed(view, "request_info_needed", "The export log, please."), BO))
        return view, empty

    view, empty = asyncio.run(scenario())
    assert view["callback_id"] == "request_info_modal"
    assert '"response_action": "errors"' in empty.body
    (mail,) = slack_env.outbox("email")
    assert mail.payload["template"] == "status_waiting" and mail.payload["lang"] == "en"
    assert mail.payload["context"]["needed"] == "The export log, please."
    after = slack_env.ticket(ticket.id)
    assert after.status == "waiting_on_customer" and after.first_response_at is not None
    (notice,) = ephemerals(slack_standin, BO)
    assert notice["text"] == f"❓ Asked the customer of {ticket.reference} for information."


def test_the_mail_greets_and_signs_off_once_even_when_the_agent_typed_both(slack_env, slack_standin):
    """The template greets and signs off; what the agent typed of either is taken off, so each is there once."""
    ticket = slack_env.add_ticket("john@kund.se")
    own = "Hi John,\n\nThe export is fixed in 4.2.1.\n\nKind regards\nAgnes"

    async def scenario():
        harness = slack_env.harness("socket")
        await harness.deliver(card_click(REPLY, ticket))
        view = slack_standin.calls("views.open")[0].response["view"]
        await harness.deliver(submission(view, typed(view, REPLY_TEXT, own)))

    asyncio.run(scenario())
    (row,) = slack_env.outbox("email")
    assert row.payload["context"]["body"] == "The export is fixed in 4.2.1."  # the agent's own words, indexed as such
    mail = _sent_through_smtp(slack_env)
    for part in (mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()):
        assert part.count("John") == 1 and "Hi John" not in part
        assert part.count("Kind regards") == 1 and part.count("Agnes") == 1
        assert part.index("Hello John,") < part.index("The export is fixed in 4.2.1.") < part.index("Kind regards")


def _sent_through_smtp(env):
    """Deliver the queued mail to a real SMTP server (the sink) through the outbox worker; the parsed message."""
    from email import message_from_bytes, policy

    from bot.app.config import SmtpSettings
    from bot.jobs.outbox_worker import OutboxWorker
    from bot.mail.deliverer import EmailDeliverer
    from bot.mail.smtp_sender import SmtpSender
    from bot.rendering.email import TemplateRenderer
    from tests.support.smtp_sink import SmtpSink

    sink = SmtpSink().start()
    try:
        settings = env.settings.model_copy(update={"smtp": SmtpSettings(host="127.0.0.1", port=sink.port)})
        worker = OutboxWorker(env.sessions, {"email": EmailDeliverer(
            settings, TemplateRenderer.from_settings(settings), SmtpSender(settings.smtp), env.clock)},
            env.clock, worker_id="mail")
        while worker.run_once():
            pass
        [(_sender, _recipients, raw)] = sink.wait_for(1)
    finally:
        sink.stop()
    return message_from_bytes(raw, policy=policy.default)
