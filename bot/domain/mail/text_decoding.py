"""Turning bytes of unknown or wrong charset into text without losing characters."""

from __future__ import annotations

import codecs

# Mail declared as us-ascii or with no charset often carries 8-bit text from
# Swedish Outlook (windows-1252) or a modern client (UTF-8). UTF-8 first: its
# strict decoder rejects almost all non-UTF-8 byte sequences, so a success is
# trustworthy; windows-1252 next; latin-1 last, which decodes anything.
FALLBACKS = ("utf-8", "windows-1252", "latin-1")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode ``data`` with the declared charset if it fits, else the fallbacks, never into U+FFFD."""
    for charset in _candidates(declared):
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError, ValueError):  # ValueError: a NUL in the charset name
            continue
    return data.decode("latin-1")  # unreachable: latin-1 maps every byte


def _candidates(declared: str | None) -> list[str]:
    result = []
    if declared:
        name = declared.strip().strip('"').lower()
        try:
            name = codecs.lookup(name).name
        except (LookupError, ValueError):
            name = ""
        # "us-ascii" and "iso-8859-1" are routinely wrong labels for
        # windows-1252 text (curly quotes, €), so they get the fallbacks too.
        if name == "iso8859-1":
            name = "windows-1252"
        if name and name != "ascii":
            result.append(name)
    return result + [charset for charset in FALLBACKS if charset not in result]


def without_nul(text: str) -> str:
    """``text`` without NUL characters: PostgreSQL text columns cannot store them, and no
    person writes one, so dropping them loses nothing a reader would see."""
    return text.replace("\x00", "") if "\x00" in text else text


def repair_surrogates(text: str) -> str:
    """Re-decode 8-bit header bytes that the parser kept as surrogate escapes."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"))
