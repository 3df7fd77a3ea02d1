"""Signed, expiring download links for agents: a stored attachment, or a message's raw mail (.eml).

    GET /files/<token>    the file, as a download

A token reads ``<a|m><id>.<expiry, unix seconds>.<signature>`` — ``a`` for an
attachment row, ``m`` for a ticket message whose raw mail is served as .eml.
The signature is an HMAC-SHA256 under a key of its own, derived from
``desk.secret_key`` for this purpose only: a close or survey token (bot/domain/signing.py)
is never a file token, nor the other way round. Links are posted in the staff
channel only and expire after ``files.link_valid_hours``.

Answers: 403 for a malformed or tampered token, 410 for an expired one or a
file no longer kept (retention), 404 for one that never existed. Files go out
as ``application/octet-stream`` with ``Content-Disposition: attachment`` and
``X-Content-Type-Options: nosniff``, so a customer's HTML or SVG never renders
on our origin.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urljoin

from aiohttp import web

from bot.domain.signing import _PROCESS_KEY
from storage.models import Attachment, RawMessage, TicketMessage

_TOKEN = re.compile(r"([am])([0-9]{1,18})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})")
DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                    "Referrer-Policy": "no-referrer", "Content-Security-Policy": "default-src 'none'; sandbox"}


class Tampered(Exception):
    """A malformed token or a wrong signature."""


class Expired(Exception):
    """A genuine token past its expiry."""


class FileLinkSigner:
    """Signs and checks file tokens under a key derived for file links only."""

    def __init__(self, secret: bytes):
        self._key = hmac.new(secret, b"supportbot file download links v1", hashlib.sha256).digest()

    def sign(self, kind: str, item_id: int, expires_at: datetime) -> str:
        """A token for an attachment (``kind`` "a") or a message's raw mail ("m")."""
        expiry = int(expires_at.timestamp())
        return f"{kind}{item_id}.{expiry}.{self._mac(kind, item_id, expiry)}"

    def verify(self, token: str, now: datetime) -> tuple[str, int]:
        """``(kind, id)`` of a genuine, unexpired token; Tampered or Expired otherwise."""
        match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
        if match is None:
            raise Tampered("malformed token")
        kind, item_id, expiry = match.group(1), int(match.group(2)), int(match.group(3))
        if not hmac.compare_digest(match.group(4).encode(), self._mac(kind, item_id, expiry).encode()):
            raise Tampered("bad signature")
        if now.timestamp() > expiry:
            raise Expired("expired")
        return kind, item_id

    def _mac(self, kind: str, item_id: int, expiry: int) -> str:
        digest = hmac.new(self._key, f"file:v1:{kind}:{item_id}:{expiry}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def file_signer(settings) -> FileLinkSigner:
    """The signer for ``desk.secret_key`` (the process's random key when it is empty, as signing.py warns)."""
    secret = settings.desk.secret_key.get_secret_value()
    return FileLinkSigner(secret.encode("utf-8") if secret else _PROCESS_KEY)


def download_url(settings, kind: str, item_id: int, now: datetime) -> tuple[str, datetime]:
    """The signed link for an attachment or a raw mail, and when it expires."""
    expires_at = now + timedelta(hours=settings.files.link_valid_hours)
    token = file_signer(settings).sign(kind, item_id, expires_at)
    return urljoin(settings.http.public_base_url, f"files/{token}"), expires_at


@dataclass(frozen=True)
class Download:
    filename: str
    path: Path | None = None
    content: bytes | None = None


class FileDownloads:
    """The ``/files/<token>`` endpoint; ``runtime`` needs settings, sessions, clock and the attachment store."""

    def __init__(self, runtime):
        self.runtime = runtime

    async def get(self, request: web.Request) -> web.StreamResponse:
        try:
            kind, item_id = file_signer(self.runtime.settings).verify(request.match_info["token"], self.runtime.clock())
        except Tampered:
            return web.Response(status=403, text="This link is not valid.", headers=DOWNLOAD_HEADERS)
        except Expired:
            return web.Response(status=410, text="This link has expired.", headers=DOWNLOAD_HEADERS)
        found = await asyncio.to_thread(self._find, kind, item_id)
        if isinstance(found, int):
            return web.Response(status=found, text="This file is not available.", headers=DOWNLOAD_HEADERS)
        headers = {**DOWNLOAD_HEADERS, "Content-Type": "application/octet-stream",
                   "Content-Disposition": _disposition(found.filename)}
        if found.path is not None:
            return web.FileResponse(found.path, headers=headers)
        return web.Response(body=found.content, headers=headers)

    def _find(self, kind: str, item_id: int) -> Download | int:
        with self.runtime.sessions() as session:
            if kind == "a":
                row = session.get(Attachment, item_id)
                if row is None:
                    return 404
                path = self.runtime.services["attachments"].path(row.sha256)
                return Download(row.filename, path=path) if row.stored and path.exists() else 410
            message = session.get(TicketMessage, item_id)
            if message is None:
                return 404
            raw = session.get(RawMessage, message.raw_message_id) if message.raw_message_id else None
            if raw is None or raw.raw is None:
                return 410
            return Download(f"message-{item_id}.eml", content=raw.raw)

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/files/{token}", self.get, allow_head=False)]


def _disposition(filename: str) -> str:
    # RFC 6266: an ASCII fallback (quotes and controls gone) plus the exact name as UTF-8.
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", filename)[:150] or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename[:255], safe='')}"
