"""Slack mrkdwn on a terminal: styles instead of `*…*`, our own mentions and links readable, customer text inert."""

from __future__ import annotations

import pytest

from bot.devtools.mrkdwn_terminal import TerminalStyle, render
from bot.devtools.slack_standin import SlackStandin
from bot.slack.text import escape_mrkdwn
from tests.devtools.test_slack_standin import client

PLAIN = TerminalStyle(users={"U0ANNA0001": "Anna Lind"})
ANSI = TerminalStyle(ansi=True, users={"U0ANNA0001": "Anna Lind"})


@pytest.mark.parametrize(("text", "plain", "ansi"), [
    ("📨 *New case by e-mail* from Åsa", "📨 New case by e-mail from Åsa", "📨 \x1b[1mNew case by e-mail\x1b[22m from Åsa"),
    ("Assignee: _unassigned_", "Assignee: unassigned", "Assignee: \x1b[3munassigned\x1b[23m"),
    ("~gone~ and `code`", "gone and code", "\x1b[9mgone\x1b[29m and \x1b[2mcode\x1b[22m"),
    ("sent by <@U0ANNA0001>", "sent by @Anna Lind", "sent by @Anna Lind"),
    ("<!here> see <https://desk.example/x_y|the page>", "@here see the page (https://desk.example/x_y)", None),
    ("write to <mailto:a@b.example|a@b.example>", "write to a@b.example", None),
    ("snake_case_name, 2*3*4 and a * b *", "snake_case_name, 2*3*4 and a * b *", None),
])
def test_styles_mentions_and_links(text, plain, ansi):
    assert render(text, PLAIN) == plain
    assert render(text, ANSI) == (ansi or plain)


def test_customer_text_stays_text():
    # What a customer wrote reaches Slack escaped: it must not become a mention, a link or a terminal command.
    hostile = "<@U0ANNA0001> <https://evil.example|bank> \x1b]2;pwned\x07 \x1b[2J"
    shown = render(escape_mrkdwn(hostile), ANSI)
    assert shown == "<@U0ANNA0001> <https://evil.example|bank> \\x1b]2;pwned\\x07 \\x1b[2J"


def test_the_standin_prints_a_card_once_per_change():
    printed: list[str] = []
    with SlackStandin(printer=printed.append, mrkdwn=lambda text: render(text, PLAIN)) as server:
        web = client(server)
        card = web.chat_postMessage(channel="C0STAFF", text="x", blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Status* open"}}])
        for status in ("open", "open", "closed", "closed"):
            web.chat_update(channel="C0STAFF", ts=card["ts"], text="x", blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*Status* {status}"}}])
    assert printed == ["#C0STAFF\nStatus open", f"✎ #C0STAFF {card['ts']} updated\nStatus closed"]
