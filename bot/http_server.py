"""The HTTP edge (aiohttp, on the service's loop): /healthz and /metrics.

Other endpoints (Slack in HTTP mode, the portal webhook, survey pages) are added
with :meth:`HttpServer.add_routes` before the service starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import HttpSettings
from bot.metrics import Metrics

log = logging.getLogger("supportbot.http")


class HttpServer:
    """A supervised component; a fresh aiohttp application per (re)start."""

    name = "http"
    stop_order = 3  # last, so /healthz reports the shutdown while the rest stops

    def __init__(self, settings: HttpSettings, health: Callable[[], dict], metrics: Metrics):
        self._settings = settings
        self._health = health
        self._metrics = metrics
        self._routes: list[web.AbstractRouteDef] = []
        self._stopping = asyncio.Event()
        self._up = False

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Serve more endpoints (call before the service starts)."""
        self._routes.extend(routes)

    def is_up(self) -> bool:
        return self._up

    async def run(self) -> None:
        app = web.Application()
        app.add_routes([web.get("/healthz", self._healthz), web.get("/metrics", self._metrics_page), *self._routes])
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._settings.host, self._settings.port).start()
            log.info("http listening on %s:%s (/healthz, /metrics)", self._settings.host, self._settings.port)
            self._up = True
            await self._stopping.wait()
        finally:
            self._up = False
            await runner.cleanup()

    def stop(self) -> None:
        self._stopping.set()

    async def _healthz(self, request: web.Request) -> web.Response:
        report = self._health()
        return web.json_response(report, status=200 if report["status"] == "ok" else 503)

    async def _metrics_page(self, request: web.Request) -> web.Response:
        body = await asyncio.to_thread(self._metrics.render)  # database queries: off the loop
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
