"""SMTP ingress (aiosmtpd): accept mail for our addresses, commit it, then say 250.

No ticket decisions here: the mail is stored and handed to the intake processor.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime

from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session as SmtpSession, syntax
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import SmtpIngressSettings
from bot.mail.in_flight import InFlightBudget
from bot.mail.raw_store import FetchedMail, store_batch

log = logging.getLogger("supportbot.smtp_ingress")


def accepts(address: str, recipients: list[str]) -> bool:
    """Whether ``address`` is one of ``recipients`` or a ``+token`` sub-address of one."""
    local, _, domain = address.strip().strip("<>").lower().rpartition("@")
    base = local.split("+", 1)[0]
    return bool(local) and f"{base}@{domain}" in {r.lower() for r in recipients}


SPOOL_IN_MEMORY_BYTES = 1024 * 1024  # DATA past this goes to a temporary file as it arrives
TOO_MUCH_IN_FLIGHT = "451 4.3.1 Too much mail in flight, please try again later"


def declared_size(mail_options: list[str]) -> int | None:
    """The ``SIZE=`` a client declared in MAIL FROM (RFC 1870), if any."""
    for option in mail_options:
        name, _, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return None


class IngressHandler:
    """aiosmtpd handler: RCPT filtering, the in-flight budget, and commit-before-250 DATA.

    A transaction reserves its share of ``budget`` at MAIL FROM: the SIZE the client
    declared (every MTA does, since we announce SIZE), else ``max_message_bytes``.
    Past the budget it waits up to ``budget_wait_s``, then answers 451 and the sender
    retries later. The share is given back when the mail is committed, at RSET, at
    the next MAIL FROM, or when the connection ends. A client that declares less than
    it sends is still held to ``max_message_bytes`` by aiosmtpd.
    """

    def __init__(
        self,
        settings: SmtpIngressSettings,
        session_factory: sessionmaker[Session],
        clock: Callable[[], datetime],
        on_stored: Callable[[list[int]], None] = lambda ids: None,
        *,
        budget: InFlightBudget | None = None,
        budget_wait_s: float = 5.0,
    ):
        self._settings = settings
        self._sessions = session_factory
        self._clock = clock
        self._on_stored = on_stored
        self._budget = budget
        self._budget_wait_s = budget_wait_s
        self._shares: dict[SmtpSession, int] = {}

    async def handle_MAIL(self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, mail_options):
        self.release(session)
        if self._budget is not None:
            size = min(declared_size(mail_options) or self._settings.max_message_bytes, self._settings.max_message_bytes)
            share = await self._reserve(size)
            if share is None:
                log.info("smtp ingress: %d bytes in flight, answering 451", self._budget.used)
                return TOO_MUCH_IN_FLIGHT
            self._shares[session] = share
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def _reserve(self, size: int) -> int | None:
        assert self._budget is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._budget_wait_s
        while (share := self._budget.try_reserve(size)) is None and loop.time() < deadline:
            await asyncio.sleep(0.05)  # polled: the poller's releases come from another thread
        return share

    def release(self, session: SmtpSession) -> None:
        """Give back the share of ``session``'s transaction, if it holds one."""
        share = self._shares.pop(session, None)
        if share is not None and self._budget is not None:
            self._budget.release(share)

    async def handle_RSET(self, server: SMTP, session: SmtpSession, envelope: Envelope):
        self.release(session)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str, rcpt_options):
        if not accepts(address, self._settings.recipients):
            return f"550 5.1.1 <{address}>: recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope):
        try:
            return await self._store(envelope)
        finally:
            self.release(session)

    async def _store(self, envelope: Envelope) -> str:
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


class _IngressSMTP(SMTP):
    """aiosmtpd's protocol with DATA spooled to a file as it arrives, giving back the
    transaction's in-flight share when the connection ends.

    aiosmtpd keeps DATA as a list of one bytearray per line and joins them: a 35 MB
    mail held ~95 MB while it arrived. Here the lines go to a temporary file (in
    memory up to 1 MiB) and are read back once, so a mail costs its own size.
    The protocol's answers are aiosmtpd's: 552 past ``data_size_limit``, 500 for a
    line over 1,000 octets, both after the data was read (RFC 5321 4.2.5).
    """

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        problem = None
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
            fragments: list[bytes] = []
            while self.transport is not None:
                try:
                    line = await self._reader.readuntil(b"\r\n")
                except asyncio.CancelledError:
                    self._writer.close()
                    raise
                except asyncio.LimitOverrunError as exc:
                    problem = problem or "500 Line too long (see RFC5321 4.5.3.1.6)"
                    line = await self._reader.read(exc.consumed)
                if not fragments and line == b".\r\n":
                    break
                size += len(line)
                if problem is None and self.data_size_limit and size > self.data_size_limit:
                    problem = "552 Error: Too much mail data"
                fragments.append(line)
                if not line.endswith(b"\r\n"):
                    continue
                whole = b"".join(fragments) if len(fragments) > 1 else fragments[0]
                fragments = []
                if problem is not None:
                    continue  # read to the end, keep nothing
                if len(whole) > self.line_length_limit:
                    problem = "500 Line too long (see RFC5321 4.5.3.1.6)"
                    continue
                spool.write(whole[1:] if whole.startswith(b".") else whole)  # RFC 5321 4.5.2 dot-stuffing
            if problem is not None:
                await self.push(problem)
                self._set_post_data_state()
                return
            spool.seek(0)
            self.envelope.original_content = self.envelope.content = spool.read()
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    def connection_lost(self, error: Exception | None) -> None:
        session = self.session
        super().connection_lost(error)
        if session is not None and isinstance(self.event_handler, IngressHandler):
            self.event_handler.release(session)


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
        return _IngressSMTP(
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
