"""The portal webhook's signature: HMAC-SHA256 over ``v1:{timestamp}:{body}``.

The portal sends ``X-Portal-Timestamp: <unix seconds>`` and
``X-Portal-Signature: v1=<hex HMAC-SHA256 of b"v1:" + timestamp + b":" + raw body,
keyed with portal.webhook_secret>``. A request more than five minutes older (or
newer) than our clock is refused, so a captured request cannot be replayed
later; within the window a replay is harmless because intake is idempotent on
the case id. The comparison is constant-time; the checks themselves (headers
before the body, the body hashed as it streams) are bot/web/signed_requests.py's.
"""

from __future__ import annotations

from bot.web.signed_requests import Scheme

PORTAL = Scheme("v1", "X-Portal-Timestamp", "X-Portal-Signature")


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Portal-Signature`` value for ``body`` sent at ``timestamp`` (the demo and tests sign with it)."""
    return PORTAL.sign(secret, timestamp, body)
