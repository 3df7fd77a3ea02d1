"""Two desks that answer each other: the loop must stop by itself.

Two `supportbot run` processes, A and B, each with its own SQLite database and
SMTP ingress. Each one's outbound relay leads to the other's ingress (through a
counting relay in this test), and each one's support address is unknown to the
other, so each would answer the other with the unknown-sender template. One
seed mail from B's address reaches A. Loop prevention has two lines:

1. our own headers (Auto-Submitted, X-Auto-Response-Suppress, X-Supportbot-Id):
   B recognises A's answer as automatic and drops it — one message in all;
2. the autoreply rate limit (desk.autoreply_window_hours, default 4 h, kept in the
   database): even when a relay strips those headers, each desk answers the other
   at most once per window — one message each way.
"""

from __future__ import annotations

import smtplib
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from storage.db import make_engine, make_session_factory
from storage.models import OutboxRow, RawMessage
from tests.handlers.conftest import mail
from tests.proofs.harness import DeskConfig, ServiceProcess, poll_until, prepare_database, send_smtp
from tests.support.smtp_sink import free_port

A, B = "support@a.example", "support@b.example"
LOOP_HEADERS = ("Auto-Submitted", "X-Auto-Response-Suppress", "X-Supportbot-Id", "Precedence")


class Relay:
    """An SMTP hop that forwards to ``target_port``; counts, and strips the loop headers when asked."""

    def __init__(self, target_port: int, *, strip: bool):
        self.target_port, self.strip = target_port, strip
        self.forwarded: list[bytes] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self) -> "Relay":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if self.strip:  # a forwarder that rewrites the message and drops what it does not know
            head, _, body = raw.partition(b"\r\n\r\n")
            kept = [line for line in head.split(b"\r\n")
                    if not any(line.lower().startswith(h.lower().encode() + b":") for h in LOOP_HEADERS)]
            raw = b"\r\n".join(kept) + b"\r\n\r\n" + body
        try:
            with smtplib.SMTP("127.0.0.1", self.target_port, timeout=30) as client:
                client.sendmail(envelope.mail_from, envelope.rcpt_tos, raw)
        except smtplib.SMTPResponseException as exc:
            return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
        except OSError:
            return "451 4.4.1 next hop unreachable"
        with self._lock:
            self.forwarded.append(raw)
        return "250 OK"


def state(config: DeskConfig) -> tuple[int, int, int, int]:
    """(mails stored, mails waiting, answers queued or sending, answers sent)."""
    engine = make_engine(config.db_url)
    try:
        with make_session_factory(engine)() as session:
            count = lambda query: session.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
            return (count(select(RawMessage.id)),
                    count(select(RawMessage.id).where(RawMessage.state == "received")),
                    count(select(OutboxRow.id).where(OutboxRow.state.in_(("pending", "sending")))),
                    count(select(OutboxRow.id).where(OutboxRow.kind == "email", OutboxRow.state == "sent")))
    finally:
        engine.dispose()


@pytest.mark.parametrize("strip", [False, True], ids=["headers-kept", "relay-strips-loop-headers"])
def test_two_desks_answering_each_other_stop_after_one_message_each(tmp_path, strip):
    ingress = {A: free_port(), B: free_port()}
    relays = {A: Relay(ingress[B], strip=strip).start(), B: Relay(ingress[A], strip=strip).start()}  # A's way out → B
    configs = {}
    for address, name in ((A, "a"), (B, "b")):
        config = DeskConfig(tmp_path / name, relays[address].port, support_address=address,
                            ingress_port=ingress[address], sections={"portal": {"new_case_policy": "portal"}})
        config.workdir.mkdir(parents=True)
        prepare_database(config.db_url)
        configs[address] = config
    services = {address: ServiceProcess(config).start() for address, config in configs.items()}
    try:
        for service in services.values():
            service.wait_healthy()
        send_smtp(ingress[A], mail(sender=f"Desk B <{B}>", to=A, subject="Hej från B"), B, [A])

        def quiet() -> tuple | None:
            before = [state(c) for c in configs.values()] + [len(r.forwarded) for r in relays.values()]
            time.sleep(2.5)  # longer than smtp.retry_max_s and the outbox's idle poll
            after = [state(c) for c in configs.values()] + [len(r.forwarded) for r in relays.values()]
            settled = all(s[1] == 0 and s[2] == 0 for s in after[:2])
            return tuple(after) if before == after and settled and after[2] >= 1 else None
        a_state, b_state, a_to_b, b_to_a = poll_until(quiet, timeout=60, interval=0, what="both desks quiet")
        for service in services.values():
            assert service.stop() == 0
    finally:
        for service in services.values():
            if service.running():
                service.kill()
        for relay in relays.values():
            relay.stop()

    logs = {address: service.log_text() for address, service in services.items()}
    print(f"\nmail loop ({'headers stripped' if strip else 'headers kept'}): A→B {a_to_b}, B→A {b_to_a}")
    if not strip:
        assert (a_to_b, b_to_a) == (1, 0)
        assert a_state[3] == 1 and b_state[3] == 0 and b_state[0] == 1
        assert " discarded: " in logs[B]  # X-Supportbot-Id or Auto-Submitted: never answered
    else:
        assert (a_to_b, b_to_a) == (1, 1)
        assert a_state[3] == 1 and b_state[3] == 1 and a_state[0] == 2 and b_state[0] == 1
        assert f"no unknown_sender to {B}: already answered automatically within 4 h" in logs[A]
