"""HMAC-signed HTTP requests (the portal's ``v1``, Slack's ``v0``): the headers first, then the body.

Both senders sign ``<scheme>:<unix seconds>:<raw body>`` with HMAC-SHA256 and send
``<scheme>=<hex digest>`` plus the timestamp in two headers; both are refused when
the timestamp is more than five minutes from our clock.

Nothing is read before it can be authenticated (issue 16: six unsigned 60 MiB
POSTs took the process from 119 to 514 MB): missing, malformed or stale headers
are refused before a byte of the body is read; the body of a well-formed request
is read in chunks, capped, hashed as it streams, and handed over only when the
signature holds. Shapes are ASCII regexes: a client can put any octets in a
header (aiohttp hands them over as surrogate-escaped text), and ``str.isdigit()``
and ``int()`` accept "²", Arabic-Indic and full-width digits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

MAX_SKEW_S = 300
CHUNK_BYTES = 64 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


class Refused(Exception):
    """Not signed as the scheme says; the reason is for our log, never the caller (and never holds the body)."""


class TooLarge(Refused):
    """The body is (or announces itself) larger than the cap."""


@dataclass(frozen=True)
class Scheme:
    """One sender's signature: its version tag and the two header names."""

    version: str
    timestamp_header: str
    signature_header: str

    def sign(self, secret: str, timestamp: int | str, body: bytes) -> str:
        """The signature header's value for ``body`` sent at ``timestamp`` (for the demo and tests)."""
        return f"{self.version}=" + self._mac(secret, str(timestamp), body).hexdigest()

    def fresh_headers(self, headers: Mapping[str, str], now_s: float) -> tuple[str, str]:
        """(timestamp, hex digest) of well-formed headers within the window; Refused otherwise."""
        timestamp, signature = headers.get(self.timestamp_header), headers.get(self.signature_header)
        if not timestamp or not signature:
            raise Refused(f"missing {self.timestamp_header} or {self.signature_header}")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise Refused(f"malformed {self.timestamp_header}")
        tag, _, digest = signature.partition("=")
        if tag != self.version or not _HEX_SHA256.fullmatch(digest):
            raise Refused(f"malformed {self.signature_header}")
        if abs(now_s - int(timestamp)) > MAX_SKEW_S:
            raise Refused("timestamp outside the five-minute window")
        return timestamp, digest

    async def read_body(self, request: web.Request, secret: str, now_s: float, limit: int) -> bytes:
        """The raw body of a genuinely signed request of at most ``limit`` bytes; Refused or TooLarge otherwise."""
        timestamp, digest = self.fresh_headers(request.headers, now_s)
        if request.content_length is not None and request.content_length > limit:
            raise TooLarge(f"body of {request.content_length} bytes announced, over {limit}")
        mac, chunks, size = self._mac(secret, timestamp, b""), [], 0
        async for chunk in request.content.iter_chunked(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"body over {limit} bytes")
            mac.update(chunk)
            chunks.append(chunk)
        if not hmac.compare_digest(mac.hexdigest(), digest):
            raise Refused("signature mismatch")
        return b"".join(chunks)

    def _mac(self, secret: str, timestamp: str, body: bytes) -> hmac.HMAC:
        prefix = f"{self.version}:{timestamp}:".encode("ascii")
        return hmac.new(secret.encode("utf-8"), prefix + body, hashlib.sha256)
