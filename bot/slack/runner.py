"""Running the Slack app: Socket Mode (default; an outbound WebSocket, no public URL) or HTTP mode.

:func:`make_slack_component` is what the service calls. The component fits the
supervisor (``run``/``stop``/``is_up``): in Socket Mode ``run`` holds the
connection (slack_sdk reconnects by itself); in HTTP mode the service mounts
:meth:`SlackComponent.routes` (``POST /slack/events``, for events and
interactivity alike, signature checked first: bot/slack/http.py) on its aiohttp server and ``run`` only waits. On stop the
component closes the connection and waits up to ``drain_s`` for listeners that
already acked to finish their Desk call and their ephemeral.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import ConfigError, Settings, SlackSettings
from bot.slack.app import build_app, signing_secret
from bot.slack.http import EVENTS_PATH, slack_routes
from bot.slack.listeners.inflight import InFlight
from bot.desk.staff_actions import Desk

log = logging.getLogger("supportbot.slack")

DEFAULT_DRAIN_S = 10.0


class SlackComponent:
    """The Slack app as a supervised component; see the module docstring."""

    name = "slack"
    stop_order = 0  # an edge: stops taking clicks before the workers stop

    def __init__(self, app: AsyncApp, slack: SlackSettings, inflight: InFlight, *, drain_s: float = DEFAULT_DRAIN_S):
        if slack.mode == "socket" and not slack.app_token.get_secret_value():
            raise ConfigError("slack.app_token: required in Socket Mode (set SUPPORTBOT_SLACK_APP_TOKEN), "
                              "or set slack.mode = \"http\"")
        self.app = app
        self.inflight = inflight
        self._slack = slack
        self._drain_s = drain_s
        self._stopping = asyncio.Event()
        self._up = False

    def routes(self) -> list[web.RouteDef]:
        """What the HTTP server mounts: the events endpoint in HTTP mode, nothing in Socket Mode."""
        return slack_routes(self.app, signing_secret(self._slack)) if self._slack.mode == "http" else []

    async def run(self) -> None:
        handler = None
        try:
            if self._slack.mode == "socket":
                handler = AsyncSocketModeHandler(self.app, app_token=self._slack.app_token.get_secret_value())
                if not await self._connect(handler):
                    return
                log.info("slack: connected in Socket Mode")
            else:
                log.info("slack: HTTP mode, events at %s", EVENTS_PATH)
            self._up = True
            await self._stopping.wait()
        finally:
            self._up = False
            if handler is not None:
                await handler.close_async()
            if not await self.inflight.wait_idle(self._drain_s):
                log.warning("slack: %d listener(s) still running after %g s", self.inflight.running, self._drain_s)

    async def _connect(self, handler: AsyncSocketModeHandler) -> bool:
        """Connect unless stopped first. slack_sdk retries a failed connect (a wrong app token…) for ever,
        logging each attempt; meanwhile the component is not up, which /healthz shows."""
        connecting = asyncio.ensure_future(handler.connect_async())
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            return False
        connecting.result()  # a crash here is the supervisor's to report and restart
        return True

    def stop(self) -> None:
        self._stopping.set()

    def is_up(self) -> bool:
        return self._up


def make_slack_component(
    settings: Settings,
    desk: Desk,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    client: AsyncWebClient | None = None,
    calendar=None,
) -> SlackComponent:
    """The app and its runner from settings (ConfigError naming a missing token or secret)."""
    inflight = InFlight()
    app = build_app(settings, desk, sessions, clock, client, inflight=inflight, calendar=calendar)
    return SlackComponent(app, settings.slack, inflight)
