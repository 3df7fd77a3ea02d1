"""POST /portal/cases: the portal's signed case registrations (aiohttp).

An edge: it checks the signature headers (401 before a byte of the body is
read), reads the body in chunks up to ``portal.webhook_max_bytes`` hashing it
as it streams (413 past the cap, 401 when the signature does not hold), and
only then parses the JSON (422 with field errors) and hands the case to
``bot.web.portal.intake`` in a worker thread. 201 with the reference for a new
ticket; 200 with the same reference when the case id is already known (a retry,
or the portal's notification mail got there first); 503 while
``portal.webhook_secret`` is unset. Every refusal is one WARNING line that names
the reason (and for a 422 the fields), never the body.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web

from bot.web.portal.intake import CaseRejected, register_case
from bot.web.portal.schema import parse_case
from bot.web.portal.signature import PORTAL
from bot.web.signed_requests import Refused, TooLarge

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
        try:
            body = await PORTAL.read_body(request, secret, self._runtime.clock().timestamp(),
                                          settings.portal.webhook_max_bytes)
        except TooLarge as exc:
            return _refused(request, 413, str(exc), {"error": "body too large"})
        except Refused as exc:
            return _refused(request, 401, str(exc), {"error": "invalid signature"})
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            # RecursionError: 50,000 nested brackets are JSON that CPython's parser will not descend.
            return _unprocessable(request, {"body": "not valid JSON"})
        case, errors = parse_case(data)
        if case is None:
            return _unprocessable(request, errors)
        try:
            result = await asyncio.to_thread(register_case, self._runtime.sessions, settings, self._runtime.services,
                                             self._runtime.clock(), case)
        except CaseRejected as exc:
            return _unprocessable(request, exc.errors)
        log.info("portal case %s: %s %s", case.case_id, "opened" if result.created else "already", result.reference)
        return web.json_response({"reference": result.reference, "created": result.created},
                                 status=201 if result.created else 200)


def _refused(request: web.Request, status: int, reason: str, answer: dict) -> web.Response:
    log.warning("portal webhook refused (%d %s) from %s", status, reason, request.remote)
    return web.json_response(answer, status=status)


def _unprocessable(request: web.Request, errors: dict[str, str]) -> web.Response:
    return _refused(request, 422, "fields: " + ", ".join(sorted(errors)), {"errors": errors})
