"""The listeners' small text pieces: canned reply files, and an agent's Slack message as mail text."""

from __future__ import annotations

import pytest

from bot.app.config import Settings
from bot.rendering.canned import CannedReplies
from bot.slack.listeners.message_text import plain_text


def test_the_built_in_canned_replies_have_three_per_language():
    canned = CannedReplies.from_settings(Settings())
    for language in ("sv", "en"):
        replies = canned.for_language(language)
        assert [r.id for r in replies] == ["10_remote_session", "20_database_upload", "30_upgrade_quote"]
        assert all(r.title and len(r.title) <= 75 and r.text and "\n" not in r.title for r in replies)
    assert "{reference}" not in canned.find("en", "20_database_upload").for_ticket("TC-2026-00042")
    assert "TC-2026-00042.zip" in canned.find("en", "20_database_upload").for_ticket("TC-2026-00042")


def test_operator_files_replace_and_extend_the_built_ins(tmp_path):
    folder = tmp_path / "slack" / "canned" / "sv"
    folder.mkdir(parents=True)
    (folder / "10_remote_session.txt").write_text("Fjärrsession (vår variant)\nVi ringer upp dig.\n", encoding="utf-8")
    (folder / "40_reboot.txt").write_text("Omstart\nStarta om tjänsten.\n", encoding="utf-8")
    (folder / "50_untitled.txt").write_text("Bara en rubrik\n", encoding="utf-8")  # no text: skipped
    (folder / "bad name.txt").write_text("Titel\nText\n", encoding="utf-8")  # not a plain id: skipped
    canned = CannedReplies.from_settings(Settings.model_validate({"desk": {"templates_dir": str(tmp_path)}}))
    assert [(r.id, r.title) for r in canned.for_language("sv")] == [
        ("10_remote_session", "Fjärrsession (vår variant)"),
        ("20_database_upload", "Databaskopia: ladda upp till vår säkra FTP"),
        ("30_upgrade_quote", "Offert: engångsuppgradering"),
        ("40_reboot", "Omstart"),
    ]
    assert canned.find("sv", "40_reboot").text == "Starta om tjänsten."
    assert [r.id for r in canned.for_language("en")][0] == "10_remote_session"  # English untouched
    assert canned.for_language("de") == canned.for_language("sv")  # unknown language: Swedish


@pytest.mark.parametrize(("mrkdwn", "plain"), [
    ("Fixed &amp; deployed", "Fixed & deployed"),
    ("a &lt;b&gt; c", "a <b> c"),
    ("see <https://x.example/a?b=1&amp;c=2>", "see https://x.example/a?b=1&c=2"),
    ("see <https://x.example|the page>", "see the page (https://x.example)"),
    ("mail <mailto:a@kund.se|a@kund.se>", "mail a@kund.se"),
    ("ask <@U0BO> or <@U0AGNES|agnes> in <#C0STAFF|staff>", "ask @U0BO or @agnes in #staff"),
    ("<!here> <!subteam^S0ONCALL|@oncall>", "@here @oncall"),
    ("*bold* and _it_", "*bold* and _it_"),
])
def test_an_agents_message_becomes_plain_text(mrkdwn, plain):
    assert plain_text(mrkdwn) == plain
