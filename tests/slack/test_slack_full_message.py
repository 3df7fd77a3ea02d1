""""Full message": the whole text and the headers in a modal, paginated within Block Kit's limits, and a signed .eml link."""

from __future__ import annotations

import asyncio
import json

from bot.slack.blocks.full_message import FULL_MESSAGE, NEXT, PREVIOUS, message_value
from bot.web.file_links import file_signer
from storage.models import RawMessage, TicketMessage
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    click,
    ephemerals,
    slack_env,
    slack_standin,
)

RAW = ("From: =?utf-8?q?=C3=85sa_Andersson?= <asa@kund.se>\r\nTo: support@example.com\r\nCc: chef@kund.se\r\n"
       "Subject: Exporten\r\nDate: Tue, 10 Mar 2026 10:00:00 +0100\r\nMessage-ID: <full-1@kund.se>\r\n\r\nHej\r\n").encode()


def add_message(env, ticket, text: str, raw: bytes | None = RAW) -> int:
    with env.sessions() as session:
        raw_row = None
        if raw is not None:
            raw_row = RawMessage(source="smtp", message_id="<full-1@kund.se>", sha256="0" * 64, size=len(raw), raw=raw,
                                 received_at=env.now)
            session.add(raw_row)
            session.flush()
        message = TicketMessage(ticket_id=ticket.id, direction="inbound", channel="email", author_email="asa@kund.se",
                                author_name="Åsa Andersson", message_id="<full-1@kund.se>", text=text,
                                raw_message_id=raw_row.id if raw_row else None, created_at=env.now)
        session.add(message)
        session.commit()
        return message.id


def page_click(action_id: str, view: dict, value: str, user: str = AGNES) -> dict:
    payload = click(action_id, value, user)
    payload.pop("channel"), payload.pop("container")
    return {**payload, "container": {"type": "view", "view_id": view["id"]}, "view": view}


def test_the_whole_text_and_headers_open_in_a_modal_page_by_page_with_an_eml_link(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    lines = [f"Rad {n}: <@U0EVIL> *inte fet* " + "x" * 60 for n in range(1500)]  # ~120,000 characters
    message_id = add_message(slack_env, ticket, "\n".join(lines))

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(click(FULL_MESSAGE, message_value(message_id)))
        first = slack_standin.calls("views.open")[0].response["view"]
        await harness.deliver(page_click(NEXT, first, message_value(message_id, 1)))
        second = slack_standin.calls("views.update")[0].params["view"]
        await harness.deliver(page_click(PREVIOUS, first, message_value(message_id, 0)))
        return first, second

    first, second = asyncio.run(scenario())
    assert first["title"]["text"] == "Full message" and len(first["blocks"]) <= 100
    head = first["blocks"][1]["text"]["text"]
    assert "*From:* Åsa Andersson &lt;asa@kund.se&gt;" in head and "*Cc:* chef@kund.se" in head
    assert "*Date:* Tue, 10 Mar 2026 10:00:00 +0100" in head and "*Message-ID:* &lt;full-1@kund.se&gt;" in head
    texts = [b["text"] for b in first["blocks"] + second["blocks"] if b["type"] == "section" and
             b["text"]["type"] == "plain_text"]
    assert all(len(t["text"]) <= 3000 for t in texts)
    pages = [b["elements"][0]["text"] for v in (first, second) for b in v["blocks"] if b["type"] == "context"
             and b["elements"][0]["text"].startswith("Page ")]
    assert pages == ["Page 1 of 3", "Page 2 of 3"]
    assert texts[0]["text"].startswith("Rad 0: <@U0EVIL> *inte fet*")  # plain text: no mention, no mrkdwn
    eml = next(b["elements"][0]["text"] for b in first["blocks"] if b["type"] == "context" and ".eml" in
               b["elements"][0]["text"])
    token = eml.split("/files/", 1)[1].split("|", 1)[0]
    assert file_signer(slack_env.settings).verify(token, slack_env.now) == ("m", message_id)
    assert len(slack_standin.calls("views.update")) == 2


def test_a_short_chat_message_has_one_page_and_no_eml_link(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    message_id = add_message(slack_env, ticket, "Kort fråga.", raw=None)

    async def scenario():
        await slack_env.harness().deliver(click(FULL_MESSAGE, message_value(message_id)))

    asyncio.run(scenario())
    view = slack_standin.calls("views.open")[0].response["view"]
    rendered = json.dumps(view, ensure_ascii=False)
    assert "Kort fråga." in rendered and ".eml" not in rendered and "Page " not in rendered
    assert "*From:* Åsa Andersson &lt;asa@kund.se&gt;" in view["blocks"][1]["text"]["text"]


def test_only_agents_see_the_full_message(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    message_id = add_message(slack_env, ticket, "Hemligt.")

    async def scenario():
        await slack_env.harness().deliver(click(FULL_MESSAGE, message_value(message_id), user="U0STRANGER"))

    asyncio.run(scenario())
    assert slack_standin.calls("views.open") == []
    assert "Hemligt" not in json.dumps([c.params for c in slack_standin.calls()], ensure_ascii=False)
