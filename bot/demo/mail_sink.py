"""Where the demo's outgoing mail lands: a local SMTP server (aiosmtpd) writing a Maildir.

Open ``./demo/sent`` with any Maildir reader (``mutt -f demo/sent``) to see the
mails exactly as a customer would get them.
"""

from __future__ import annotations

import asyncio
import mailbox
from collections.abc import Callable
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from aiosmtpd.smtp import SMTP

from bot.rendering.terminal import printable


class MailSinkHandler:
    """aiosmtpd handler: keep every message, print a one-line summary."""

    def __init__(self, maildir: Path, printer: Callable[[str], None]):
        self._box = mailbox.Maildir(maildir, create=True)
        self._printer = printer
        self.messages: list[tuple[list[str], EmailMessage]] = []  # (recipients, message), oldest first

    async def handle_DATA(self, server: SMTP, session, envelope) -> str:
        raw = (envelope.original_content or envelope.content).replace(b"\r\n", b"\n")
        self._box.add(raw)
        message = BytesParser(policy=default).parsebytes(raw)
        self.messages.append((list(envelope.rcpt_tos), message))
        # strip(): a folded Subject unfolds with the fold's leading space.
        subject = str(message["Subject"] or "").strip()
        self._printer(f"📧 to {printable(', '.join(envelope.rcpt_tos))} : {printable(subject)}")
        return "250 2.0.0 Kept in the demo's Maildir"


class MailSink:
    """The listening server, on the caller's loop; ``port`` 0 picks a free one."""

    def __init__(self, maildir: Path, printer: Callable[[str], None] = print, host: str = "127.0.0.1", port: int = 0):
        self.handler = MailSinkHandler(maildir, printer)
        self.host, self.port = host, port
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> "MailSink":
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self.handler, hostname="sink.demo", ident="supportbot demo sink"), self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
