"""Text for Slack: escaping of customer-derived strings and length limits that never cut an entity.

Slack treats ``&``, ``<`` and ``>`` as control characters in every text
object (``<!channel>``, ``<@U123>``, ``<https://x|label>``), and only those
three are to be HTML-escaped; anything else encoded shows up literally
(``&#39;``). Limits are counted on the escaped text, which is what Slack
measures, and truncation happens on the raw text so that an ``&amp;`` is
never cut in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

ELLIPSIS = "…"
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def escape_mrkdwn(text: str) -> str:
    """``text`` with ``&``, ``<`` and ``>`` replaced by their entities (and nothing else)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_length(text: str) -> int:
    """Length of ``escape_mrkdwn(text)`` without building it."""
    return len(text) + sum(len(_ESCAPES[c]) - 1 for c in text if c in _ESCAPES)


def fit(text: str, limit: int, *, escape: bool = True) -> str:
    """``text`` escaped (unless ``escape=False``) and cut to ``limit`` characters, a cut marked "…"."""
    done = escape_mrkdwn(text) if escape else text
    if len(done) <= limit:
        return done
    budget = limit - len(ELLIPSIS)
    prefix = text[: _raw_prefix_len(text, budget) if escape else budget].rstrip()
    return (escape_mrkdwn(prefix) if escape else prefix) + ELLIPSIS


def quote_lines(text: str) -> str:
    """Escaped ``text`` as a mrkdwn block quote (our own ``>`` marker on every line)."""
    return "\n".join(">" + (" " + escape_mrkdwn(line) if line else "") for line in text.splitlines() or [""])


def quoted_chunks(text: str, limit: int, max_chunks: int) -> list[str]:
    """Escaped, quoted ``text`` in pieces of at most ``limit`` split at line ends; a dropped tail is marked "…"."""
    chunks = [""]
    for piece in _hard_wrapped(text.splitlines() or [""], limit - 2):
        line = quote_lines(piece)
        if not chunks[-1]:
            chunks[-1] = line
        elif len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    if len(chunks) > max_chunks:
        chunks = chunks[:max_chunks]
        chunks[-1] = _mark_cut(chunks[-1], limit)
    return chunks


def _hard_wrapped(lines: list[str], width: int) -> Iterator[str]:
    """Raw lines whose escaped form fits ``width``; longer lines split at character boundaries."""
    for line in lines:
        while escaped_length(line) > width:
            cut = max(1, _raw_prefix_len(line, width))
            yield line[:cut]
            line = line[cut:]
        yield line


def _raw_prefix_len(line: str, width: int) -> int:
    """How many raw characters of ``line`` fit ``width`` once escaped."""
    used = 0
    for i, char in enumerate(line):
        used += len(_ESCAPES.get(char, char))
        if used > width:
            return i
    return len(line)


def _mark_cut(chunk: str, limit: int) -> str:
    """Escaped ``chunk`` ending in "…" within ``limit``."""
    return clip_escaped(chunk + ELLIPSIS, limit)


def clip_escaped(escaped: str, limit: int) -> str:
    """Already-escaped text cut to ``limit``, marked "…", never ending inside an entity."""
    if len(escaped) <= limit:
        return escaped
    head = escaped[: limit - len(ELLIPSIS)]
    if head.rfind("&") > head.rfind(";"):  # every & in escaped text starts an entity that ends in ;
        head = head[: head.rfind("&")]
    return head + ELLIPSIS


def is_slack_user_id(value: str | None) -> bool:
    """Whether ``value`` looks like a Slack user id (so that ``<@value>`` is a mention and nothing else)."""
    return bool(value) and bool(_SLACK_USER_ID.match(value))


def mention(user_id: str) -> str:
    """Our own mention of a known agent; refuses anything that is not a user id."""
    if not is_slack_user_id(user_id):
        raise ValueError(f"not a Slack user id: {user_id!r}")
    return f"<@{user_id}>"
