"""What the portal's signed endpoints share: the secret, the streamed and verified body, the JSON, the refusals.

Both ``POST /portal/cases`` and ``POST /portal/directory`` are signed with
``portal.webhook_secret`` (bot/web/portal/signature.py). Headers are checked before
a byte of the body is read (401), the body is read in chunks up to
``portal.webhook_max_bytes`` and hashed as it streams (413 past the cap, 401 when the
signature does not hold), and only then parsed (422 when it is not JSON). 503 while
the secret is unset. Every refusal is one WARNING line naming the reason (for a 422
the fields), never the body. A subclass says what the document means (``accept``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from bot.web.portal.signature import PORTAL
from bot.web.signed_requests import Refused, TooLarge

log = logging.getLogger("supportbot.portal")


class SignedPortalEndpoint:
    """A request handler for one of the portal's signed POSTs; ``runtime`` gives settings, sessions, clock, services."""

    name = "portal webhook"

    def __init__(self, runtime):
        self._runtime = runtime

    async def handle(self, request: web.Request) -> web.Response:
        settings = self._runtime.settings
        secret = settings.portal.webhook_secret.get_secret_value()
        if not secret:
            log.error("%s called but portal.webhook_secret is not set", self.name)
            return web.json_response({"error": "webhook not configured"}, status=503)
        try:
            body = await PORTAL.read_body(request, secret, self._runtime.clock().timestamp(),
                                          settings.portal.webhook_max_bytes)
        except TooLarge as exc:
            return self.refused(request, 413, str(exc), {"error": "body too large"})
        except Refused as exc:
            return self.refused(request, 401, str(exc), {"error": "invalid signature"})
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            # RecursionError: 50,000 nested brackets are JSON that CPython's parser will not descend.
            return self.unprocessable(request, {"body": "not valid JSON"})
        return await self.accept(request, data)

    async def accept(self, request: web.Request, data: Any) -> web.Response:
        """The answer to a genuinely signed JSON document."""
        raise NotImplementedError

    def refused(self, request: web.Request, status: int, reason: str, answer: dict) -> web.Response:
        log.warning("%s refused (%d %s) from %s", self.name, status, reason, request.remote)
        return web.json_response(answer, status=status)

    def unprocessable(self, request: web.Request, errors: dict[str, str]) -> web.Response:
        return self.refused(request, 422, "fields: " + ", ".join(sorted(errors)), {"errors": errors})
