"""POST /portal/cases: the portal's signed case registrations (aiohttp).

An edge: it reads the body (bounded), checks the signature (401), parses the
JSON (422 with field errors), and hands the case to ``bot.portal.intake`` in a
worker thread. 201 with the reference for a new ticket; 200 with the same
reference when the case id is already known (a retry, or the portal's
notification mail got there first); 503 while ``portal.webhook_secret`` is unset.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from bot.portal.intake import CaseRejected, register_case
from bot.portal.schema import parse_case
from bot.portal.signature import SignatureError, verify

log = logging.getLogger("supportbot.portal")


class PortalWebhook:
    """The request handler; ``runtime`` gives settings, sessions, clock and services."""

    def __init__(self, runtime):
        self._runtime = runtime

    async def handle(self, request: web.Request) -> web.Response:
        settings = self._runtime.settings
        secret = settings.portal.webhook_secret.get_secret_value()
        if not secret:
            log.error("portal webhook called but portal.webhook_secret is not set")
            return web.json_response({"error": "webhook not configured"}, status=503)
        body = await _read_bounded(request, settings.portal.webhook_max_bytes)
        try:
            verify(secret, request.headers.get("X-Portal-Timestamp"), request.headers.get("X-Portal-Signature"),
                   body, self._runtime.clock())
        except SignatureError as exc:
            log.warning("portal webhook refused from %s: %s", request.remote, exc)
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return _unprocessable({"body": "not valid JSON"})
        case, errors = parse_case(data)
        if case is None:
            return _unprocessable(errors)
        try:
            result = await asyncio.to_thread(register_case, self._runtime.sessions, settings, self._runtime.services,
                                             self._runtime.clock(), case)
        except CaseRejected as exc:
            return _unprocessable(exc.errors)
        log.info("portal case %s: %s %s", case.case_id, "opened" if result.created else "already", result.reference)
        return web.json_response({"reference": result.reference, "created": result.created},
                                 status=201 if result.created else 200)


async def _read_bounded(request: web.Request, limit: int) -> bytes:
    # Read it ourselves: the application's client_max_size (1 MiB by default)
    # is too small for base64 attachments, and this limit is the portal's own.
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


def _unprocessable(errors: dict[str, str]) -> web.Response:
    return web.json_response({"errors": errors}, status=422)
