"""Thread lines for a customer's files that are not uploaded: why, and where to get them."""

from __future__ import annotations

from typing import Any

from bot.slack.text import fit

NAME_CHARS = 200


def build_file_link_line(filename: str, size_text: str, reason: str, url: str | None, valid_until: str = "") -> dict[str, Any]:
    """``📎 report.exe (2.1 MB) — not uploaded: a Windows program · Download (until …)``.

    ``filename`` and ``reason`` are escaped (a customer named the file); ``url``
    is our own signed link, made of URL-safe characters only.
    """
    line = f"📎 *{fit(filename or '(unnamed)', NAME_CHARS)}* ({size_text}) — {fit(reason, NAME_CHARS)}"
    if url:
        line += f" · <{url}|Download>" + (f" (link valid until {valid_until})" if valid_until else "")
    return {"text": line, "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}]}
