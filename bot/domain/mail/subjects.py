"""Subjects: reply/forward prefixes in the languages our customers write, and ticket references."""

from __future__ import annotations

import re

# Re/SV/Svar (Swedish), VB (vidarebefordra), AW/WG (German Outlook), Antw,
# Fwd/FW/Fw, TR (French "transféré"), "Vidarebefordrat", each optionally with a
# counter ("Re[2]:", "SV (3):") and repeated ("SV: VB: Re:").
_PREFIX = re.compile(
    r"^\s*(?:(?:re|sv|svar|vb|aw|wg|antw|fwd?|tr|vidarebefordrat|vs)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def strip_prefixes(subject: str) -> str:
    """``SV: VB: Re[2]: Fel i exporten`` → ``Fel i exporten``."""
    return _PREFIX.sub("", subject or "").strip()


def find_reference(subject: str, prefix: str = "TC") -> str | None:
    """The first ticket reference such as ``TC-2026-00042`` in ``subject`` (any case, bracketed or not)."""
    match = re.search(rf"(?<![A-Za-z0-9]){re.escape(prefix)}-(\d{{4}})-(\d{{5}})(?!\d)", subject or "", re.IGNORECASE)
    return f"{prefix.upper()}-{match.group(1)}-{match.group(2)}" if match else None


def without_reference(subject: str, reference: str) -> str:
    """The subject without ``[TC-…]`` tags and reply prefixes, for a new ticket's title."""
    cleaned = re.sub(rf"\[?\s*{re.escape(reference)}\s*\]?", "", subject, flags=re.IGNORECASE)
    return strip_prefixes(" ".join(cleaned.split()))
