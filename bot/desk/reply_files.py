"""An agent's files on a reply: the size rule and the audit line's wording."""

from __future__ import annotations

from collections.abc import Sequence

from bot.desk.thread_files import human_size

AUDIT_NAMES = 5


def too_large(sizes: Sequence[int], max_bytes: int) -> str | None:
    """Why files of these sizes cannot go in one mail (``files.reply_max_bytes``), or None."""
    total = sum(sizes)
    if total <= max_bytes:
        return None
    return (f"These files come to {human_size(total)}; a reply can carry at most {human_size(max_bytes)} "
            "(mail servers refuse larger mail). Remove some and send again — nothing was sent.")


def sent_with_files(files: Sequence[dict]) -> str:
    """The audit line's verb: "sent to customer" or "sent to customer with a.png, b.pdf"."""
    if not files:
        return "sent to customer"
    names = [f["filename"] or "(unnamed)" for f in files]
    shown = ", ".join(names[:AUDIT_NAMES]) + (f" and {len(names) - AUDIT_NAMES} more" if len(names) > AUDIT_NAMES else "")
    return f"sent to customer with {shown}"
