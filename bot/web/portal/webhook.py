"""POST /portal/cases: the portal's signed case registrations (aiohttp).

An edge: the signature, the body and the JSON are checked as for every signed
portal request (bot/web/portal/endpoint.py); then the case is checked field by
field (422 with field errors) and handed to ``bot.web.portal.intake`` in a worker
thread. 201 with the reference for a new ticket; 200 with the same reference when
the case id is already known (a retry, or the portal's notification mail got there
first).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot.web.portal.endpoint import SignedPortalEndpoint
from bot.web.portal.intake import CaseRejected, register_case
from bot.web.portal.schema import parse_case

log = logging.getLogger("supportbot.portal")


class PortalWebhook(SignedPortalEndpoint):
    """POST /portal/cases."""

    async def accept(self, request: web.Request, data: Any) -> web.Response:
        case, errors = parse_case(data)
        if case is None:
            return self.unprocessable(request, errors)
        runtime = self._runtime
        try:
            result = await asyncio.to_thread(register_case, runtime.sessions, runtime.settings, runtime.services,
                                             runtime.clock(), case)
        except CaseRejected as exc:
            return self.unprocessable(request, exc.errors)
        log.info("portal case %s: %s %s", case.case_id, "opened" if result.created else "already", result.reference)
        return web.json_response({"reference": result.reference, "created": result.created},
                                 status=201 if result.created else 200)
