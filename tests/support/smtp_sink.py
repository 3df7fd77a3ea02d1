"""A real SMTP server (aiosmtpd) for tests: records what it receives, refuses on request."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import ssl
import threading
from collections import deque
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

Received = tuple[str, list[str], bytes]  # (MAIL FROM, RCPT TOs, raw message bytes)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (aiosmtpd cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """aiosmtpd on 127.0.0.1 in its own thread; ``messages`` holds what was accepted."""

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        starttls_context: ssl.SSLContext | None = None,
        implicit_tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """``credentials`` enables AUTH (also over plain text); the contexts enable STARTTLS or implicit TLS."""
        self.port = 0
        self.messages: list[Received] = []
        self.logins: list[str] = []
        self._credentials = credentials
        self._starttls_context = starttls_context
        self._implicit_tls_context = implicit_tls_context
        self._changed = threading.Condition()
        self._replies: dict[str, deque[str]] = {"mail": deque(), "rcpt": deque(), "data": deque()}
        self._refused: dict[str, str] = {}
        self._drops = 0
        self.data_delay_s = 0.0  # a slow relay: each DATA is answered this much later
        self._controller: Controller | None = None

    def start(self, port: int | None = None) -> "SmtpSink":
        """Listen on ``port`` (a server "coming back") or a free port; return self."""
        kwargs: dict[str, Any] = {}
        if self._credentials:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self._starttls_context:
            kwargs["tls_context"] = self._starttls_context
        for _ in range(5):  # another process may grab the probed port first
            self.port = port or free_port()
            controller = Controller(
                _Handler(self), hostname="127.0.0.1", port=self.port, ssl_context=self._implicit_tls_context, **kwargs
            )
            try:
                controller.start()
            except OSError:
                continue
            self._controller = controller
            return self
        raise RuntimeError("no free port for the SMTP sink")

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail_next(self, code: int, count: int = 1, *, stage: str = "data", text: str = "") -> None:
        """Answer ``code`` to the next ``count`` MAIL, RCPT or DATA commands (``stage``)."""
        reply = f"{code} {text or ('4.3.0 Try again later' if code < 500 else '5.7.1 Rejected')}"
        with self._changed:
            self._replies[stage].extend([reply] * count)

    def refuse_recipient(self, address: str, code: int = 550, text: str = "5.1.1 No such user") -> None:
        """Always refuse RCPT TO ``address``."""
        with self._changed:
            self._refused[address.lower()] = f"{code} {text}"

    def drop_next(self, count: int = 1) -> None:
        """Close the connection instead of answering the next ``count`` DATA commands."""
        with self._changed:
            self._drops += count

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until ``count`` messages have arrived; return them."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(f"SMTP sink got {len(self.messages)} of {count} messages in {timeout} s")
            return list(self.messages[:count])

    def parsed(self, index: int = 0) -> EmailMessage:
        """Message ``index`` parsed the way a mail client would (after CRLF → LF)."""
        raw = self.messages[index][2].replace(b"\r\n", b"\n")
        return email.message_from_bytes(raw, policy=email.policy.default)

    # -- called from the server thread -------------------------------------

    def _take(self, stage: str) -> str | None:
        with self._changed:
            queue = self._replies[stage]
            return queue.popleft() if queue else None

    def _refusal(self, address: str) -> str | None:
        with self._changed:
            return self._refused.get(address.lower())

    def _take_drop(self) -> bool:
        with self._changed:
            if self._drops:
                self._drops -= 1
                return True
            return False

    def _record(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
        with self._changed:
            self.messages.append((mail_from, list(rcpt_tos), raw))
            self._changed.notify_all()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == self._credentials
        if ok:
            with self._changed:
                self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)


class _Handler:
    """aiosmtpd hooks; each consults the sink for a scripted answer first."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self.sink._take("mail")
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink._refusal(address) or self.sink._take("rcpt")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink._take_drop():
            server.transport.close()
            return "250 OK"  # never reaches the client: the connection is gone
        if self.sink.data_delay_s:
            await asyncio.sleep(self.sink.data_delay_s)
        reply = self.sink._take("data")
        if reply:
            return reply
        self.sink._record(envelope.mail_from, envelope.rcpt_tos, envelope.original_content or envelope.content)
        return "250 OK"
