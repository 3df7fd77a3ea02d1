"""The SMTP ingress as a supervised component: listening from ``run()`` until ``stop()``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import SmtpIngressSettings
from bot.mail.smtp_ingress import IngressHandler, SmtpIngress


class SmtpIngressComponent:
    name = "smtp_ingress"
    stop_order = 0

    def __init__(self, ingress):
        self._ingress = ingress
        self._stopping = asyncio.Event()
        self._up = False

    async def run(self) -> None:
        await self._ingress.start()
        self._up = True
        try:
            await self._stopping.wait()
        finally:
            self._up = False
            await self._ingress.stop()

    def stop(self) -> None:
        self._stopping.set()

    def is_up(self) -> bool:
        return self._up


def smtp_component(settings: SmtpIngressSettings, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                   on_stored: Callable[[list[int]], None], budget=None) -> SmtpIngressComponent:
    """The SMTP ingress; ``budget`` (bot/mail/in_flight.py) is shared with the poller."""
    return SmtpIngressComponent(SmtpIngress(settings, IngressHandler(settings, sessions, clock, on_stored,
                                                                     budget=budget)))
