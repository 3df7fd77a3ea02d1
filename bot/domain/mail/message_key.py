"""The dedupe key of a raw mail: its Message-ID, or a stable one made from its content."""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser
from email.policy import compat32

_HEADER_PARSER = BytesHeaderParser(policy=compat32)  # headers only: cheap at the edge
_MSGID = re.compile(r"<[^<>\s\x00-\x1f\x7f]+>")  # control characters (NUL!) never make it into a key
_STABLE_HEADERS = ("from", "to", "cc", "date", "subject")
SYNTHETIC_DOMAIN = "supportbot.invalid"


def message_key(raw: bytes) -> str:
    """Return ``<id@domain>`` from the Message-ID header, or a synthetic one.

    The synthetic key hashes the headers a relay does not touch plus the body,
    not the whole message: the same mail fetched over IMAP and received over
    SMTP differs in its Received/Return-Path trace headers, and must still be
    recognised as one mail.
    """
    headers = _HEADER_PARSER.parsebytes(raw[:_header_end(raw)] or raw[:65536])
    value = headers.get("Message-ID") or ""
    match = _MSGID.search(str(value))
    if match:
        return match.group(0)[:998]
    digest = hashlib.sha256()
    for name in _STABLE_HEADERS:
        digest.update(f"{name}:{' '.join(str(headers.get(name, '')).split())}\n".encode("utf-8", "surrogateescape"))
    digest.update(_body(raw))
    return f"<sha256.{digest.hexdigest()[:40]}@{SYNTHETIC_DOMAIN}>"


def _header_end(raw: bytes) -> int:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(separator)
        if index >= 0:
            return index + len(separator)
    return len(raw)


def _body(raw: bytes) -> bytes:
    # Line endings differ between transports (CRLF on the wire, LF in files).
    return raw[_header_end(raw):].replace(b"\r\n", b"\n").rstrip(b"\n")
