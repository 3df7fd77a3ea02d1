"""The service's HTTP listeners (aiohttp, on the service's loop): the public one and the operators'.

What operators need never shares a socket with what the internet reaches
(issue 16: /metrics and /healthz answered on the public port, and the image
bound it to 0.0.0.0):

- ``http`` (``http.host``:``http.port``): the portal webhook, Slack's HTTP mode,
  the close and survey pages, added with :meth:`HttpServer.add_routes`;
- ``ops`` (``ops.host``:``ops.port``, 127.0.0.1 by default): /healthz and
  /metrics (:func:`ops_routes`), and nothing else.

Neither sends a ``Server`` header: aiohttp's banner names its version and
Python's, which tells a scanner what to try. (aiohttp's own 400 for a request it
cannot parse at all is written before any application hook and keeps it.) Such
a request is a client's error: one WARNING line, not aiohttp's ERROR traceback.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from aiohttp import hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from prometheus_client import CONTENT_TYPE_LATEST

from bot.app.metrics import Metrics

log = logging.getLogger("supportbot.http")
# aiohttp's protocol handler logs here (instead of "aiohttp.server"); see _ClientErrorsAreWarnings.
protocol_log = logging.getLogger("supportbot.http.protocol")


class HttpServer:
    """One listener as a supervised component; a fresh aiohttp application per (re)start."""

    stop_order = 3  # last, so /healthz reports the shutdown while the rest stops

    def __init__(self, name: str, host: str, port: int, routes: Iterable[web.AbstractRouteDef] = ()):
        self.name = name
        self._host, self._port = host, port
        self._routes: list[web.AbstractRouteDef] = list(routes)
        self._stopping = asyncio.Event()
        self._up = False

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """Serve more endpoints (call before the service starts)."""
        self._routes.extend(routes)

    def is_up(self) -> bool:
        return self._up

    async def run(self) -> None:
        app = web.Application()
        app.on_response_prepare.append(_drop_banner)
        app.add_routes(self._routes)
        runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0, logger=protocol_log)
        await runner.setup()
        try:
            await web.TCPSite(runner, self._host, self._port).start()
            paths = ", ".join(sorted({route.path for route in self._routes if isinstance(route, web.RouteDef)}))
            log.info("%s listening on %s:%s (%s)", self.name, self._host, self._port, paths or "no routes")
            self._up = True
            await self._stopping.wait()
        finally:
            self._up = False
            await runner.cleanup()

    def stop(self) -> None:
        self._stopping.set()


def ops_routes(health: Callable[[], dict], metrics: Metrics) -> list[web.RouteDef]:
    """GET /healthz (200 when ``health()["status"]`` is ``ok``, else 503) and GET /metrics."""

    async def healthz(request: web.Request) -> web.Response:
        report = health()
        return web.json_response(report, status=200 if report["status"] == "ok" else 503)

    async def metrics_page(request: web.Request) -> web.Response:
        body = await asyncio.to_thread(metrics.render)  # database queries: off the loop
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/healthz", healthz), web.get("/metrics", metrics_page)]


async def _drop_banner(request: web.Request, response: web.StreamResponse) -> None:
    # aiohttp sets its default just before this signal, so removing it here sticks.
    response.headers.popall(hdrs.SERVER, None)


class _ClientErrorsAreWarnings(logging.Filter):
    """aiohttp logs a request it cannot parse (bad framing, a 10 kB header line…) at ERROR with a traceback.

    That is the client's error, answered 400: one WARNING line naming the error's
    class, without its text (which may quote what the client sent).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError) and 400 <= (error.code or 400) < 500:
            remote = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = "malformed HTTP request refused (%d %s) from %s", (
                error.code or 400, type(error).__name__, remote)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


protocol_log.addFilter(_ClientErrorsAreWarnings())
