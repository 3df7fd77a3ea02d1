"""Two `supportbot run` replicas on one PostgreSQL; the one holding work is killed with SIGKILL.

The killed replica holds the mailbox lease, mail it stored and has not processed
yet, and an outbox row it claimed and is delivering (the relay answers each DATA
50 ms late, as a busy relay does). A burst of mail goes in while it is busy
sending the answers to the one before; the test catches the moment: it stops the
replica (SIGSTOP) when the database shows both, checks again, and kills it
(SIGKILL). The survivor must take the mailbox over, process the stored mail at
once and retake the claimed rows within their lease: everything the dead replica
held reaches the customers and the staff channel within the bound, each once.

PostgreSQL only, as several replicas are in production: collected when
``SUPPORTBOT_TEST_PG_URL`` is set (CI sets it; tests/conftest.py). With
``PRODUCTION_LEASES=1`` it runs with the default leases (30 s each) against the
issue's target of 60 s. The figures are printed.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.app.config import ImapSettings, OutboxSettings
from bot.devtools.slack_standin import SlackStandin
from storage.db import make_engine, make_session_factory
from storage.models import Lease, OutboxRow, RawMessage, Ticket
from tests.handlers.conftest import mail
from tests.proofs.harness import STAFF_CHANNEL, DeskConfig, ServiceProcess, poll_until, prepare_database
from tests.support.imap_server import start_imap_server
from tests.support.smtp_sink import SmtpSink

PRODUCTION = os.environ.get("PRODUCTION_LEASES", "") not in ("", "0")
MAILBOX_LEASE_S = ImapSettings().lease_s if PRODUCTION else 6.0
CLAIM_LEASE_S = OutboxSettings().claim_lease_s if PRODUCTION else 6.0
TAKEOVER_S = MAILBOX_LEASE_S + MAILBOX_LEASE_S / 3  # README, "Several replicas"
SLACK_S = 2.0  # the survivor is busy too: its own delivery in hand, an intake batch
TARGET_S = 60.0  # issue 16, point 9
CONTACTS, STRANGERS, BURSTS = 6, 60, 3


def replica(tmp_path, name, db_url, imap, sink, standin) -> ServiceProcess:
    config = DeskConfig(tmp_path / name, sink.port, imap=imap, slack_base_url=standin.base_url,
                        slack_token=standin.token, sections={
                            "database": {"url": db_url},
                            "desk": {"attachments_dir": str(tmp_path / "attachments")},
                            "imap": {"lease_s": MAILBOX_LEASE_S},
                            "outbox": {"claim_lease_s": CLAIM_LEASE_S},
                        })
    return ServiceProcess(config, log_format="json").start()


class Desk:
    """What the test reads from the shared database, as an operator would."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.sessions = make_session_factory(self.engine)

    def holder_pid(self) -> int | None:
        with self.sessions() as session:
            holder = session.execute(select(Lease.holder)).scalar_one_or_none()
        return int(holder.split(":")[1]) if holder else None

    def held_by(self, service: ServiceProcess) -> tuple[list[int], list[int]]:
        """(ids of mail stored and not processed, of outbox rows claimed by ``service`` and not settled)."""
        with self.sessions() as session:
            stored = session.execute(select(RawMessage.id).where(RawMessage.state == "received")).scalars()
            claimed = session.execute(select(OutboxRow.id).where(
                OutboxRow.state == "sending", OutboxRow.claimed_by == service.worker_id)).scalars()
            return list(stored), list(claimed)

    def processed(self, raw_ids: list[int]) -> bool:
        with self.sessions() as session:
            return not session.scalar(select(func.count()).select_from(RawMessage).where(
                RawMessage.id.in_(raw_ids), RawMessage.state != "processed"))

    def sent(self, row_ids: list[int]) -> bool:
        with self.sessions() as session:
            return not session.scalar(select(func.count()).select_from(OutboxRow).where(
                OutboxRow.id.in_(row_ids), OutboxRow.state != "sent"))

    def undelivered(self) -> Counter:
        with self.sessions() as session:
            return Counter(session.execute(select(OutboxRow.state).where(OutboxRow.state != "sent")).scalars())

    def tickets(self) -> list[Ticket]:
        with self.sessions() as session:
            return list(session.execute(select(Ticket)).scalars())


def kill_while_holding_work(service: ServiceProcess, desk: Desk, timeout: float = 10.0
                            ) -> tuple[list[int], list[int]] | None:
    """SIGKILL ``service`` at a moment it holds stored mail and a claimed outbox row; what it held.

    None when no such moment came (it processed a burst before its outbox claimed a row).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(desk.held_by(service)):
            os.kill(service.pid, signal.SIGSTOP)  # frozen: what the database shows now is what it holds
            held = desk.held_by(service)
            if all(held):
                os.kill(service.pid, signal.SIGKILL)
                service.process.wait(10)
                return held
            os.kill(service.pid, signal.SIGCONT)
        time.sleep(0.005)
    return None


def timed(since: float, timeout: float, conditions: dict) -> dict[str, float]:
    """Seconds from ``since`` until each condition first held (all watched at once)."""
    figures: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(figures) < len(conditions):
        for what, done in conditions.items():
            if what not in figures and done():
                figures[what] = time.monotonic() - since
        assert time.monotonic() < deadline, f"not within {timeout:g} s: {set(conditions) - set(figures)}"
        time.sleep(0.02)
    return figures


@pytest.mark.timeout(300)
def test_a_killed_replicas_mail_and_claims_are_delivered_by_the_survivor_within_the_bound(pg_url, tmp_path):
    imap = start_imap_server(tmp_path / "imap")
    sink, standin = SmtpSink().start(), SlackStandin().start()
    sink.data_delay_s = 0.05
    seeded = prepare_database(pg_url, contacts=CONTACTS)
    desk = Desk(pg_url)
    first = second = None
    try:
        first = replica(tmp_path, "first", pg_url, imap, sink, standin)
        first.wait_healthy()
        poll_until(lambda: desk.holder_pid() == first.pid, timeout=30, what="the first replica polling")
        second = replica(tmp_path, "second", pg_url, imap, sink, standin)
        second.wait_healthy()

        senders: list[str] = []

        def burst() -> None:  # one MULTIAPPEND: the poller sees the whole burst at once
            new = [*(seeded.contacts if not senders else []),
                   *(f"person{len(senders)}.{n}@elsewhere.example" for n in range(STRANGERS))]
            with imap.client() as appender:
                appender.multiappend("INBOX", [mail(sender=s, subject=f"Ärende {s}", body="Hej! En fråga.")
                                               for s in new])
            senders.extend(new)

        burst()  # its answers keep the outboxes busy for seconds (the relay takes 50 ms a mail)
        held = None
        for _ in range(BURSTS):  # the next burst comes while the first replica delivers: catch it holding both
            poll_until(lambda: desk.held_by(first)[1], timeout=30, interval=0.01, what="the first replica sending")
            burst()
            held = kill_while_holding_work(first, desk, timeout=5)
            if held:
                break
        assert held, f"the replica never held stored mail and a claimed row at once in {BURSTS} bursts"
        killed_at = time.monotonic()
        stored, claimed = held

        figures = timed(killed_at, TARGET_S + 30, {
            "took over": lambda: desk.holder_pid() == second.pid,
            "its claims delivered": lambda: desk.sent(claimed),
            "its stored mail processed": lambda: desk.processed(stored),
            "everything delivered": lambda: not desk.undelivered() and len(sink.messages) >= len(senders),
        })
        print(f"\nkilled holding {len(stored)} stored mails and {len(claimed)} claimed row(s) (leases: mailbox "
              f"{MAILBOX_LEASE_S:g} s, outbox claims {CLAIM_LEASE_S:g} s); after the kill: "
              + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in figures.items()))

        recipients = Counter(rcpt for _from, rcpts, _raw in sink.messages for rcpt in rcpts)
        assert set(recipients) == set(senders) and max(recipients.values()) <= 2  # 2: the stated crash window
        cards = [m for m in standin.messages(STAFF_CHANNEL) if m.get("metadata")]
        tickets = desk.tickets()
        assert len(tickets) == CONTACTS and all(t.slack_card_ts for t in tickets)
        assert {t.slack_card_ts for t in tickets} <= {m["ts"] for m in cards}
        assert figures["took over"] <= TAKEOVER_S + 1.0, figures
        assert figures["its claims delivered"] <= CLAIM_LEASE_S + SLACK_S, figures
        assert figures["its stored mail processed"] <= TAKEOVER_S + SLACK_S, figures
        assert figures["everything delivered"] <= TARGET_S, figures
        assert second.stop() == 0
    finally:
        for service in (first, second):
            if service is not None:
                service.kill()
        imap.close()
        sink.stop()
        standin.stop()
        desk.engine.dispose()
