"""POST /portal/directory: the portal keeps the directory current with signed events (aiohttp).

The same signature, body and JSON checks as the case webhook (bot/web/portal/endpoint.py);
then the events are checked field by field (422 with field errors, nothing applied) and
applied in a worker thread by ``bot.desk.directory_events``: 200 with
``{"results": [{"id", "status"}]}``, status ``applied``, ``unchanged``, ``duplicate``
(the event id was handled before) or ``stale`` (older than what the desk already has).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from aiohttp import web

from bot.desk.directory_events import EventRejected, apply_events
from bot.web.portal.directory_schema import is_batch, parse_events
from bot.web.portal.endpoint import SignedPortalEndpoint

log = logging.getLogger("supportbot.portal")


class DirectoryWebhook(SignedPortalEndpoint):
    """POST /portal/directory."""

    name = "portal directory"

    async def accept(self, request: web.Request, data: Any) -> web.Response:
        changes, errors = parse_events(data)
        if errors:
            return self.unprocessable(request, errors)
        try:
            results = await asyncio.to_thread(apply_events, self._runtime.sessions, changes, self._runtime.clock(),
                                              is_batch(data))
        except EventRejected as exc:
            return self.unprocessable(request, exc.errors)
        counts = Counter(result["status"] for result in results)
        log.info("portal directory: %s", ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
        return web.json_response({"results": results})
