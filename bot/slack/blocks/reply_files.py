"""The Reply modal's file picker, and reading what an agent attached from the submission."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.text import fit

REPLY_FILES = "reply_files"
MAX_FILES = 10  # Slack's file_input allows 1–10


def reply_files_block() -> dict[str, Any]:
    """An optional ``file_input``: the files go with the mail as attachments."""
    return {"type": "input", "block_id": REPLY_FILES, "optional": True,
            "label": {"type": "plain_text", "text": "Files", "emoji": True},
            "hint": {"type": "plain_text", "text": "Sent to the customer as attachments of the mail."},
            "element": {"type": "file_input", "action_id": REPLY_FILES, "max_files": MAX_FILES}}


def submitted_files(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The files attached in a submitted Reply modal: Slack's file objects (id, name, mimetype, size,
    url_private_download); files without an id or a download URL are left out."""
    state = ((view.get("state") or {}).get("values") or {}).get(REPLY_FILES) or {}
    files = (state.get(REPLY_FILES) or {}).get("files") or []
    return [f for f in files if isinstance(f, dict) and f.get("id") and f.get("url_private_download")]


# -- files on the agent's own thread message ("Send to customer") ---------------------------
# A modal's file_input cannot be prefilled, so the message's files ride in the modal's
# private_metadata (ours, returned by Slack untouched: id and size, at most MAX_FILES) and are
# listed in a context line; on submit they are looked up with files.info and fetched like the rest.


def with_message_files(view: dict[str, Any], files: list[dict[str, Any]]) -> dict[str, Any]:
    """The Reply modal carrying ``files`` (Slack file objects of the shortcut's message)."""
    shared = [{"i": str(f["id"])[:40], "s": int(f.get("size") or 0)} for f in files if f.get("id")][:MAX_FILES]
    if not shared:
        return view
    meta = json.loads(view["private_metadata"])
    names = ", ".join(fit(str(f.get("name") or "file"), 100) for f in files[:MAX_FILES])
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": f"📎 Your message's files go with it: {names}"}]}
    blocks = list(view["blocks"])
    blocks.insert(len(blocks) - 1 if blocks and blocks[-1]["type"] == "context" else len(blocks), note)
    return {**view, "blocks": blocks, "private_metadata": json.dumps({**meta, "f": shared}, separators=(",", ":"))}


def message_files(view: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{"i": file id, "s": size}]`` carried by :func:`with_message_files` (none when absent or unreadable)."""
    try:
        shared = json.loads(view.get("private_metadata") or "{}").get("f") or []
    except (ValueError, AttributeError):
        return []
    return [f for f in shared if isinstance(f, dict) and isinstance(f.get("i"), str) and isinstance(f.get("s"), int)]
