"""SMTP ingress (aiosmtpd): accept mail for our addresses, commit it, then say 250.

No ticket decisions here: the mail is stored and handed to the intake processor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from aiosmtpd.smtp import SMTP, Envelope, Session as SmtpSession
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import SmtpIngressSettings
from bot.mail.raw_store import FetchedMail, store_batch

log = logging.getLogger("supportbot.smtp_ingress")


def accepts(address: str, recipients: list[str]) -> bool:
    """Whether ``address`` is one of ``recipients`` or a ``+token`` sub-address of one."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    base = local.split("+", 1)[0]
    return bool(local) and f"{base}@{domain}" in {r.lower() for r in recipients}


class IngressHandler:
    """aiosmtpd handler: RCPT filtering and commit-before-250 DATA."""

    def __init__(
        self,
        settings: SmtpIngressSettings,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        on_stored: Callable[[list[int]], None] = lambda ids: None,
    ):
        self._settings = settings
        self._sessions = session_factory
        self._clock = clock
        self._on_stored = on_stored

    async def handle_RCPT(self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options):
        if not accepts(address, self._settings.recipients):
            return f"550 5.1.1 <{address}>: recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope):
        raw = envelope.original_content or b""
        if len(raw) > self._settings.max_message_bytes:
            return "552 5.3.4 Message size exceeds fixed maximum message size"
        mail = FetchedMail(raw=raw, envelope_from=envelope.mail_from, envelope_to=tuple(envelope.rcpt_tos))
        try:
            # The database calls block; keep them off the event loop.
            ids = await asyncio.to_thread(store_batch, self._sessions, [mail], "smtp", self._clock())
        except SQLAlchemyError as exc:
            log.warning("smtp ingress: database unavailable, answering 451: %s", type(exc).__name__)
            return "451 4.3.0 Temporary local problem, please try again later"
        if ids:
            self._on_stored(ids)
        return "250 2.0.0 Message accepted for delivery"


class SmtpIngress:
    """The listening server, run on the service's own event loop."""

    def __init__(self, settings: SmtpIngressSettings, handler: IngressHandler):
        self._settings = settings
        self._handler = handler
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        """Listen on the configured address."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, host=self._settings.host, port=self._settings.port)
        log.info("smtp ingress listening on %s:%s", self._settings.host, self._settings.port)

    def _protocol(self) -> SMTP:
        # aiosmtpd answers 552 itself past data_size_limit, before the DATA
        # handler sees the bytes, so an oversize mail is never held in memory whole.
        return SMTP(
            self._handler,
            hostname=self._settings.host,
            data_size_limit=self._settings.max_message_bytes,
            decode_data=False,
            ident="supportbot",
        )

    async def stop(self) -> None:
        """Stop accepting connections."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
