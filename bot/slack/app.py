"""The Slack app (Bolt for Python, asyncio): the listeners of the agents' desk on one AsyncApp.

Socket Mode or HTTP mode is the runner's business (``bot.slack.runner``);
the app is the same. In HTTP mode every request's signature (HMAC-SHA256 with
the signing secret, timestamp within 5 minutes) is verified before Bolt sees it,
by bot/slack/http.py, so Bolt's own verification is off: Bolt parses a
body before its middleware checks it, and logs a refused body at INFO. In Socket
Mode no HTTP request is ever legitimate: :func:`signing_secret` is then random,
so the route refuses everything even if mounted by mistake.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import ConfigError, Settings, SlackSettings
from bot.slack.client import make_web_client
from bot.slack.listeners import all_listeners
from bot.slack.listeners.agents import AgentDirectory
from bot.rendering.canned import CannedReplies
from bot.slack.listeners.inflight import InFlight
from bot.slack.listeners.services import ListenerServices
from bot.desk.chat_desk import ChatDesk
from bot.desk.reads import DeskReads
from bot.desk.sla_actions import SlaDesk
from bot.domain.hours.calendar import calendar_from_settings
from bot.intake.slack_runner import SlackIntake
from bot.desk.staff_actions import Desk


def build_app(
    settings: Settings,
    desk: Desk,
    sessions: sessionmaker[Session],
    clock: Callable[[], datetime],
    client: AsyncWebClient | None = None,
    *,
    inflight: InFlight | None = None,
    agents: AgentDirectory | None = None,
    canned: CannedReplies | None = None,
    calendar=None,
) -> AsyncApp:
    """The AsyncApp with every listener registered; ConfigError when a required Slack setting is missing.

    ``inflight`` counts listeners still running after their ack (pass one to
    drain them on stop or to await them in tests). ``calendar`` is the desk's
    business calendar (built from ``settings.hours`` when not given); the App
    Home, ``/support`` and the customer-channel intake all use this one.
    """
    slack = settings.slack
    if client is None and not slack.bot_token.get_secret_value():
        raise ConfigError("slack.bot_token: required to run the Slack app (set SUPPORTBOT_SLACK_BOT_TOKEN)")
    app = AsyncApp(
        name="supportbot",
        client=client or make_web_client(slack),
        signing_secret=signing_secret(slack),
        request_verification_enabled=False,  # done before Bolt: bot/slack/http.py
        # Ack at once, work after: Slack wants the answer within 3 s, and a
        # Desk call or views.open must not hold it up.
        process_before_response=False,
    )
    calendar = calendar if calendar is not None else calendar_from_settings(settings.hours)
    services = ListenerServices(
        settings=settings, desk=desk, sla=SlaDesk(desk, sessions, settings, clock),
        chat=ChatDesk(sessions, settings, calendar, clock), reads=DeskReads(sessions, settings, calendar, clock),
        intake=SlackIntake(sessions, settings, clock, {"calendar": calendar}),
        agents=agents or AgentDirectory(desk), canned=canned or CannedReplies.from_settings(settings),
    )
    app.use(services.provide)
    inflight = inflight or InFlight()
    for registrar, key, listener in all_listeners():
        inflight.register(getattr(app, registrar), key, listener)
    return app


def signing_secret(slack: SlackSettings) -> str:
    """The HTTP mode's signing secret (ConfigError when unset); a random one in Socket Mode."""
    secret = slack.signing_secret.get_secret_value()
    if slack.mode == "http" and not secret:
        # An empty key would let anyone sign requests.
        raise ConfigError("slack.signing_secret: required in HTTP mode (set SUPPORTBOT_SLACK_SIGNING_SECRET)")
    return secret if slack.mode == "http" else secrets.token_hex(32)
