"""What every demo step gets: the running desk's parts, and a way to say things and wait for effects."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.demo.clock import DemoClock
from bot.demo.settle import Settler


@dataclass
class DemoContext:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: DemoClock
    calendar: object
    standin: object            # bot/devtools/slack_standin.SlackStandin
    sink: object               # bot/demo/mail_sink.MailSink
    settler: Settler
    say: Callable[[str], None]
    references: dict[str, str] = field(default_factory=dict)  # "seeded", "portal": tickets the steps act on

    @property
    def base_url(self) -> str:
        """The public listener, where the portal and Slack send their requests."""
        return f"http://{self.settings.http.host}:{self.settings.http.port}"


@dataclass(frozen=True)
class DemoStep:
    """One numbered step: the desk's clock is frozen at ``at`` while ``act`` runs; True when it ended as expected."""

    title: str
    at: datetime
    act: Callable[[DemoContext], Awaitable[bool]]
