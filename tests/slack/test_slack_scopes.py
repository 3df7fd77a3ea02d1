"""The manifest's scopes are exactly what the code calls and subscribes to: none missing, none spare."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "slack-manifest.yml"
FAMILIES = "chat|users|usergroups|conversations|views|reactions|files|pins|team|bots"
# Each Web API method the desk calls and the bot scopes it needs (api.slack.com/methods/<method>).
METHOD_SCOPES = {
    "chat_postMessage": {"chat:write"},
    "chat_update": {"chat:write"},
    "chat_postEphemeral": {"chat:write"},
    "chat_getPermalink": set(),
    "views_open": set(),
    "views_update": set(),
    "views_publish": set(),
    "conversations_open": {"im:write"},
    # users.info needs users:read; the profile's e-mail, which maps users to agents and contacts, users:read.email.
    "users_info": {"users:read", "users:read.email"},
    "users_lookupByEmail": {"users:read.email"},
    "usergroups_users_list": {"usergroups:read"},  # the on-call group, and the line groups of `agent sync`
    # Slack's current upload flow (files.upload is retired): the weekly report's chart.
    "files_getUploadURLExternal": {"files:write"},
    "files_completeUploadExternal": {"files:write"},
    # Whether a customer's file is already shared in its thread (an upload redelivered after a crash).
    "files_info": {"files:read"},
}
EVENT_SCOPES = {"message.channels": {"channels:history"}, "message.groups": {"groups:history"},
                "reaction_added": {"reactions:read"}, "app_home_opened": set()}


def methods_called() -> set[str]:
    """Web API methods named in bot/: ``client.users_info(`` and ``self._call("users_info", …``."""
    called = set()
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "slack_standin.py":
            continue  # the stand-in answers methods; it calls none
        text = path.read_text(encoding="utf-8")
        called |= set(re.findall(rf"\b(?:client|_client)\.((?:{FAMILIES})_[A-Za-z_]+)\(", text))
        called |= set(re.findall(rf"_call\(\s*[\"']((?:{FAMILIES})_[A-Za-z_]+)[\"']", text))
    return called


def manifest_list(text: str, header: str) -> list[str]:
    lines = text.splitlines()
    items = []
    for line in lines[lines.index(header) + 1:]:
        match = re.match(r"^\s+- (\S+)$", line)
        if not match:
            break
        items.append(match.group(1))
    return items


def test_every_method_the_code_calls_has_its_scopes_listed():
    called = methods_called()
    assert {"usergroups_users_list", "users_info", "chat_postMessage"} <= called  # the scan finds calls
    assert called - set(METHOD_SCOPES) == set(), "a new Web API method: add it and its scopes to METHOD_SCOPES"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs():
    text = MANIFEST.read_text(encoding="utf-8")
    needed = set().union(*(METHOD_SCOPES[method] for method in methods_called()))
    needed |= set().union(*(EVENT_SCOPES[event] for event in manifest_list(text, "    bot_events:")))
    if "slash_commands:" in text or "shortcuts:" in text:
        needed.add("commands")
    assert sorted(manifest_list(text, "    bot:")) == sorted(needed)
