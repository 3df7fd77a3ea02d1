"""The "Full message" button on a thread post, and the modal that shows the whole message page by page.

Block Kit's limits shape it: a section's text holds 3,000 characters and a
modal 100 blocks, so the text is cut into chunks of ``CHUNK_CHARS`` (at a line
break where there is one) and ``PAGE_CHUNKS`` chunks make a page; "Previous" and
"Next" redraw the modal (views.update) with another page. The text goes in
``plain_text`` sections: shown exactly as the customer wrote it, never read as
mrkdwn, links or mentions.
"""

from __future__ import annotations

import json
from typing import Any

from bot.desk.full_message import FullMessage
from bot.slack.text import fit

FULL_MESSAGE = "full_message"          # the button on a thread post
FULL_MESSAGE_PAGE = "full_message_page"  # the block of Previous / Next in the modal
PREVIOUS, NEXT = "full_message_previous", "full_message_next"  # action ids: unique within their block
FULL_MESSAGE_MODAL = "full_message_modal"
CHUNK_CHARS = 2900
PAGE_CHUNKS = 20
HEADER_CHARS = 300


def with_full_message_button(message: dict[str, Any], message_id: int) -> dict[str, Any]:
    """``message`` (a thread post) with a "Full message" button under it."""
    button = {"type": "button", "action_id": FULL_MESSAGE, "text": {"type": "plain_text", "text": "Full message"},
              "value": message_value(message_id)}
    return {**message, "blocks": [*message["blocks"], {"type": "actions", "elements": [button]}]}


def message_value(message_id: int, page: int = 0) -> str:
    return json.dumps({"m": message_id, "p": page}, separators=(",", ":"))


def parse_message_value(value: str) -> tuple[int, int]:
    """``(message id, page)`` from a button's value; ValueError otherwise."""
    try:
        data = json.loads(value)
        message_id, page = data["m"], data.get("p", 0)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ValueError("not a full-message value") from exc
    if type(message_id) is not int or type(page) is not int or page < 0:
        raise ValueError("not a full-message value")
    return message_id, page


def chunks(text: str) -> list[str]:
    """The text in pieces of at most CHUNK_CHARS, cut after a line break where one is near the end."""
    pieces, rest = [], text.strip("\n")
    while rest:
        if len(rest) <= CHUNK_CHARS:
            pieces.append(rest)
            break
        cut = rest.rfind("\n", CHUNK_CHARS // 2, CHUNK_CHARS)
        cut = cut + 1 if cut > 0 else CHUNK_CHARS
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return pieces or [""]


def build_full_message_modal(message: FullMessage, page: int, eml_link: tuple[str, str] | None) -> dict[str, Any]:
    """The modal for ``page`` (0-based, clamped); ``eml_link`` is (signed URL, "valid until" text) or None."""
    pieces = chunks(message.text)
    pages = max(1, -(-len(pieces) // PAGE_CHUNKS))
    page = min(max(page, 0), pages - 1)
    head = [f"*{fit(name, 20)}:* {fit(value, HEADER_CHARS)}" for name, value in message.headers]
    blocks: list[dict[str, Any]] = [
        _context(f"*{fit(message.reference, 40)}* · {fit(message.subject, HEADER_CHARS)}"),
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(head) or "_no headers_"}},
    ]
    if eml_link:
        url, until = eml_link
        blocks.append(_context(f"<{url}|Download .eml> (the mail as received; link valid until {until})"))
    blocks.append({"type": "divider"})
    for piece in pieces[page * PAGE_CHUNKS:(page + 1) * PAGE_CHUNKS]:
        blocks.append({"type": "section", "text": {"type": "plain_text", "text": piece or " ", "emoji": False}})
    if pages > 1:
        blocks.append(_context(f"Page {page + 1} of {pages}"))
        buttons = []
        if page > 0:
            buttons.append(_button(PREVIOUS, "◀ Previous", message_value(message.message_id, page - 1)))
        if page < pages - 1:
            buttons.append(_button(NEXT, "Next ▶", message_value(message.message_id, page + 1)))
        blocks.append({"type": "actions", "block_id": FULL_MESSAGE_PAGE, "elements": buttons})
    return {"type": "modal", "callback_id": FULL_MESSAGE_MODAL, "private_metadata": message_value(message.message_id, page),
            "title": {"type": "plain_text", "text": "Full message"},
            "close": {"type": "plain_text", "text": "Close"}, "blocks": blocks}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(action_id: str, label: str, value: str) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label},
            "value": value}
