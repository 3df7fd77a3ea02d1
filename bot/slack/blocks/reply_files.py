"""The Reply modal's file picker, and reading what an agent attached from the submission."""

from __future__ import annotations

from typing import Any

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
