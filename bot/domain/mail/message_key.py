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
    _hash_body(digest, raw)
    return f"<sha256.{digest.hexdigest()[:40]}@{SYNTHETIC_DOMAIN}>"


def _header_end(raw: bytes) -> int:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = raw.find(separator)
        if index >= 0:
            return index + len(separator)
    return len(raw)


_CHUNK = 1 << 20


def _hash_body(digest, raw: bytes) -> None:
    """Hash the body with CRLF read as LF and without trailing line breaks (line endings
    differ between transports: CRLF on the wire, LF in files), a megabyte at a time: a
    35 MB mail without a Message-ID is not copied twice whole (issue 21)."""
    start, end = _header_end(raw), len(raw)
    while end > start:  # strip trailing "\r\n" and "\n" ("\r\n" cannot overlap itself)
        if raw[end - 2:end] == b"\r\n" and end - 2 >= start:
            end -= 2
        elif raw[end - 1:end] == b"\n":
            end -= 1
        else:
            break
    view = memoryview(raw)
    carry = b""
    for position in range(start, end, _CHUNK):
        chunk = carry + bytes(view[position:min(position + _CHUNK, end)])
        carry = b""
        if chunk.endswith(b"\r") and position + _CHUNK < end:
            chunk, carry = chunk[:-1], b"\r"  # its "\n" may open the next chunk
        digest.update(chunk.replace(b"\r\n", b"\n"))
    digest.update(carry)
