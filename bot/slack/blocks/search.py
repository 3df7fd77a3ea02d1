"""``/support search WORDS``: the best-matching tickets as one ephemeral message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.tickets import STATUS_WORDS as STATUS_WORDS_IN_FULL, Status
from bot.slack.text import clip_escaped, fit

SEARCH_ROWS = 10
SUBJECT_CHARS = 150
WORDS_CHARS = 100
# Shorter than the card's labels: a search row has one line for all of a ticket.
STATUS_WORDS = {**STATUS_WORDS_IN_FULL, Status.WAITING_ON_CUSTOMER: "waiting", Status.CLOSURE_REQUESTED: "closing"}


def build_search_results(words: str, cases: Sequence, links: dict[str, str]) -> dict[str, Any]:
    """Up to SEARCH_ROWS rows: reference (linked to its card when ``links`` has it), status, subject; all escaped."""
    heading = f"🔎 *{len(cases)} found* for “{fit(words, WORDS_CHARS)}”" if cases else \
        f"🔎 Nothing found for “{fit(words, WORDS_CHARS)}”."
    lines = [heading]
    for case in list(cases)[:SEARCH_ROWS]:
        reference = fit(case.reference, 40)
        link = links.get(case.reference, "")
        if link.startswith("https://"):
            reference = f"<{link}|{reference}>"
        lines.append(f"• {reference} · {STATUS_WORDS.get(case.status, case.status)} · "
                     f"{fit(case.subject, SUBJECT_CHARS)}")
    text = "\n".join(lines)
    return {"text": fit(f"Search: {words}", 150),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": clip_escaped(text, 3000)}}]}
