"""What we send Slack ourselves: customer text stays text, no pings, no unfurls; the manifest matches the app."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.slack.ids import CLAIM, REPLY
from bot.slack.listeners import all_listeners
from bot.slack.ids import SEND_TO_CUSTOMER
from storage.models import Agent
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    BO,
    all_strings,
    card_click,
    ephemerals,
    reaction,
    slack_env,
    slack_standin,
)

MANIFEST = Path(__file__).resolve().parents[2] / "slack-manifest.yml"
HOSTILE = "<!channel> <!here> <@U0BOSS> <https://evil.example|Klicka här> & @everyone"
OUR_MENTIONS = {f"<@{AGNES}>", f"<@{BO}>"}


def test_customer_text_never_becomes_a_ping_or_a_link(slack_env, slack_standin):
    slack_env.add_contact("evil@kund.se", f"{HOSTILE} Smith", "en")
    ticket = slack_env.add_ticket("evil@kund.se", subject=f"Hjälp {HOSTILE}")
    with slack_env.sessions() as session:  # the holder has no Slack id yet and a hostile name
        session.get(Agent, slack_env.agent("bo@vendor.example").id).name = HOSTILE
        session.commit()
    slack_env.desk.claim(ticket.id, slack_env.agent("bo@vendor.example").id, 1)
    other = slack_env.add_ticket("evil@kund.se", subject=f"Andra {HOSTILE}")

    async def scenario():
        harness = slack_env.harness()
        await harness.deliver(card_click(CLAIM, slack_env.ticket(ticket.id), AGNES))  # lost: "claimed by <name>"
        await harness.deliver(reaction("white_check_mark", other.slack_card_ts, AGNES))  # confirmation with subject
        await harness.deliver(card_click(REPLY, other, AGNES))  # modal with greeting "Hello <name>,"

    asyncio.run(scenario())
    sent = [c for c in slack_standin.calls() if c.method in ("chat.postEphemeral", "views.open")]
    assert len(sent) == 3
    for call in sent:
        for text in all_strings(call.params):
            found = set(re.findall(r"<[^>]*>", text))
            assert found <= OUR_MENTIONS, (call.method, text)
    lost, confirm = ephemerals(slack_standin, AGNES)
    assert "&lt;!channel&gt;" in lost["text"]
    assert "&lt;https://evil.example|Klicka här&gt; &amp; @everyone" in confirm["blocks"][0]["text"]["text"]
    for params in (lost, confirm):
        assert params["unfurl_links"] is False and params["unfurl_media"] is False and "link_names" not in params


def test_the_manifest_asks_for_what_the_app_uses_and_no_more():
    text = MANIFEST.read_text(encoding="utf-8")
    scopes = _list_under(text, "    bot:")
    assert scopes == ["channels:history", "chat:write", "commands", "files:read", "files:write", "groups:history", "im:write", "reactions:read",
                      "usergroups:read", "users:read", "users:read.email"]
    events = _list_under(text, "    bot_events:")
    # Bolt's "message" listener receives what the manifest subscribes as message.channels and message.groups.
    subscribed = {"message": ["message.channels", "message.groups"]}
    assert events == sorted(name for registrar, key, _ in all_listeners() if registrar == "event"
                            for name in subscribed.get(key, [key]))
    commands = re.findall(r"- command: (\S+)", text)
    assert commands == ["/support"] == [key for registrar, key, _ in all_listeners() if registrar == "command"]
    assert re.search(r"^    home_tab_enabled: true$", text, re.M)
    shortcuts = re.findall(r"callback_id: (\S+)", text)
    assert shortcuts == [SEND_TO_CUSTOMER] == [key for registrar, key, _ in all_listeners()
                                               if registrar == "message_shortcut"]
    assert re.search(r"^  socket_mode_enabled: true$", text, re.M)
    assert re.search(r"^  interactivity:\n    is_enabled: true$", text, re.M)


def _list_under(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(header) + 1
    items = []
    for line in lines[start:]:
        match = re.match(r"^\s+- (\S+)$", line)
        if not match:
            break
        items.append(match.group(1))
    return items
