"""The portal webhook's signature: HMAC-SHA256 over ``v1:{timestamp}:{body}``.

The portal sends ``X-Portal-Timestamp: <unix seconds>`` and
``X-Portal-Signature: v1=<hex HMAC-SHA256 of b"v1:" + timestamp + b":" + raw body,
keyed with portal.webhook_secret>``. A request more than five minutes older (or
newer) than our clock is refused, so a captured request cannot be replayed
later; within the window a replay is harmless because intake is idempotent on
the case id. The comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

MAX_SKEW_S = 300
SCHEME = "v1"


class SignatureError(Exception):
    """The request is not from the portal (or too old); the reason is for our log, not the caller."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Portal-Signature`` value for ``body`` sent at ``timestamp`` (also used by tests)."""
    message = f"{SCHEME}:{timestamp}:".encode("ascii") + body
    return f"{SCHEME}=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: datetime) -> None:
    """Raise SignatureError unless ``signature`` is the portal's for ``body`` at a fresh ``timestamp``."""
    if not timestamp or not signature:
        raise SignatureError("missing X-Portal-Timestamp or X-Portal-Signature")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("malformed timestamp")
    if abs(now.timestamp() - int(timestamp)) > MAX_SKEW_S:
        raise SignatureError("timestamp outside the five-minute window")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(signature.strip().encode("utf-8"), expected.encode("ascii")):
        raise SignatureError("signature mismatch")
