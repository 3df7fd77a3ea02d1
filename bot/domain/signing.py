"""Signed links: a ticket id, a purpose and an expiry, under an HMAC-SHA256 of ``desk.secret_key``.

A token reads ``<ticket id>.<expiry, unix seconds>.<signature>``, the signature
being the unpadded base64url HMAC-SHA256 of ``link:v1:<purpose>:<id>:<expiry>``
under a key derived from ``desk.secret_key``. The purpose ("close", "survey") is
signed but not written, so a token made for one purpose fails for another.
Verification compares in constant time (``hmac.compare_digest``). Tokens are
not single-use by themselves: what they unlock is (one survey answer per
ticket, closure is idempotent).

With no ``desk.secret_key`` the process signs with a random key and logs a
warning: links work until the next restart and only on this replica.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode, urljoin

log = logging.getLogger("supportbot.signing")

_PROCESS_KEY = secrets.token_bytes(32)
# ASCII digits and nothing else: int() also reads "+11", "1_1", " 11" and "١١" as 11, and
# the black-box runs of issue 16 had each of them verified as ticket 11's token.
_ID, _EXPIRY = re.compile(r"[0-9]{1,18}"), re.compile(r"[0-9]{1,12}")
_warned = False


class BadToken(Exception):
    """A token that is malformed, tampered with, for another purpose, or expired."""


class Signer:
    """Signs and verifies link tokens."""

    def __init__(self, secret: bytes):
        # A derived key: the raw secret_key is never used as an HMAC key for links directly.
        self._key = hmac.new(secret, b"supportbot signed links v1", hashlib.sha256).digest()

    def sign(self, ticket_id: int, purpose: str, expires_at: datetime) -> str:
        """A token for ``ticket_id`` and ``purpose``, valid until ``expires_at``."""
        expiry = int(expires_at.timestamp())
        return f"{ticket_id}.{expiry}.{self._mac(purpose, ticket_id, expiry)}"

    def verify(self, token: str, purpose: str, now: datetime) -> int:
        """The ticket id of a genuine, unexpired token for ``purpose``; raises BadToken otherwise."""
        parts = token.split(".") if isinstance(token, str) else []
        if len(parts) != 3 or not _ID.fullmatch(parts[0]) or not _EXPIRY.fullmatch(parts[1]):
            raise BadToken("malformed token")
        ticket_id, expiry, mac = int(parts[0]), int(parts[1]), parts[2]
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(purpose, ticket_id, expiry).encode()):
            raise BadToken("bad signature")
        if now.timestamp() > expiry:
            raise BadToken("expired")
        return ticket_id

    def _mac(self, purpose: str, ticket_id: int, expiry: int) -> str:
        digest = hmac.new(self._key, f"link:v1:{purpose}:{ticket_id}:{expiry}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signer_from_settings(settings) -> Signer:
    """The signer for ``desk.secret_key`` (a per-process random key, with a warning, when it is empty)."""
    global _warned
    secret = settings.desk.secret_key.get_secret_value()
    if not secret:
        if not _warned:
            _warned = True
            log.warning("desk.secret_key is empty: signed links use a random key and stop working at restart "
                        "(set SUPPORTBOT_DESK_SECRET_KEY)")
        return Signer(_PROCESS_KEY)
    return Signer(secret.encode("utf-8"))


def link_token(settings, ticket_id: int, purpose: str, now: datetime) -> str:
    """A token valid for ``lifecycle.link_valid_days`` from ``now``."""
    expires_at = now + timedelta(days=settings.lifecycle.link_valid_days)
    return signer_from_settings(settings).sign(ticket_id, purpose, expires_at)


def public_url(settings, path: str, **params) -> str:
    """An absolute link under ``http.public_base_url``."""
    base = settings.http.public_base_url
    url = urljoin(base if base.endswith("/") else base + "/", path.lstrip("/"))
    return f"{url}?{urlencode(params)}" if params else url


def closure_link(settings, ticket_id: int, now: datetime) -> str:
    """The one-click "close my case" link (GET shows a confirmation page, POST asks for closure)."""
    return public_url(settings, "tickets/close", t=link_token(settings, ticket_id, "close", now))


def survey_links(settings, ticket_id: int, now: datetime) -> list[str]:
    """Five links, for ratings 1–5, sharing one survey token (GET shows the form; POST answers)."""
    token = link_token(settings, ticket_id, "survey", now)
    return [public_url(settings, "survey", t=token, r=rating) for rating in range(1, 6)]
