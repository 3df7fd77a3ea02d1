"""Can every enabled listener bind its address? Asked once, before `supportbot run` starts.

A port already taken (a second copy of the service, another program on 8080) is
not a crash worth retrying: the supervisor would restart the listener every
minute, forever, and systemd would never hear of it. `run` asks first and stops
with one line per listener that cannot bind, naming its settings (exit 2, which
the systemd unit does not restart). The sockets are bound the way asyncio's
``create_server`` binds them (every address the host resolves to,
``SO_REUSEADDR``, IPv6 only on IPv6 sockets) and all held at once, so two
listeners given the same address are caught too. A port taken in the moment
between this check and the start is still retried by the supervisor.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass

from bot.app.config import Settings


@dataclass(frozen=True)
class Listener:
    name: str  # the component, as /healthz names it
    section: str  # the settings section holding host and port
    host: str
    port: int


def enabled_listeners(settings: Settings) -> list[Listener]:
    """The TCP listeners `supportbot run` will open with these settings."""
    found = []
    for name, section in (("http", settings.http), ("ops", settings.ops), ("smtp_ingress", settings.smtp_ingress)):
        if section.enabled:
            found.append(Listener(name, name, section.host, section.port))
    return found


def unbindable(listeners: list[Listener]) -> list[str]:
    """One line for each listener that cannot bind its address; empty when all can."""
    held: list[socket.socket] = []
    problems = []
    try:
        for listener in listeners:
            try:
                held.extend(_bind(listener.host, listener.port))
            except OSError as exc:
                problems.append(f"cannot listen on {_address(listener)} for {listener.name} "
                                f"({listener.section}.host, {listener.section}.port): {_reason(exc)}")
    finally:
        for sock in held:
            sock.close()
    return problems


def _bind(host: str, port: int) -> list[socket.socket]:
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    bound: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            bound.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(1)  # SO_REUSEADDR lets two sockets bind one port; only one may listen
    except OSError:
        for sock in bound:
            sock.close()
        raise
    return bound


def _address(listener: Listener) -> str:
    host = f"[{listener.host}]" if ":" in listener.host else listener.host
    return f"{host}:{listener.port}"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "address already in use (is another supportbot or another program listening there?)"
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "no such address on this machine"
    if isinstance(exc, socket.gaierror):
        return f"the host name does not resolve ({exc.strerror})"
    return exc.strerror or str(exc)
