"""Several replicas on one database: one polls the mailbox (a lease), the others stand by and take over."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from bot.app.config import ImapSettings
from bot.mail.imap_poller import ImapPoller
from bot.mail.mailbox_lease import LeasedPoller, MailboxLease, take_or_renew
from storage.db import make_engine, make_session_factory
from storage.models import AutoreplyLog, ImapCursor, Inquiry, Lease, OutboxRow, RawMessage
from tests.handlers.conftest import mail
from tests.support.service_loop import poll_until
from tests.app.test_run_command import SUPPORTBOT, http_get, service_env
from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401
from tests.support.smtp_sink import SmtpSink, free_port

MAILBOX = "support@127.0.0.1/INBOX"


def expire(session_factory, name: str = MAILBOX, holder: str | None = None) -> None:
    """Make the lease look abandoned (its holder died a while ago), optionally handing it to ``holder``."""
    values = {"expires_at": datetime.now(timezone.utc) - timedelta(minutes=1)}
    if holder:
        values = {"holder": holder, "expires_at": datetime.now(timezone.utc) + timedelta(hours=1)}
    with session_factory() as session:
        session.execute(update(Lease).where(Lease.name == name).values(**values))
        session.commit()


# -- the lease itself, on both back ends ---------------------------------------------------


def test_one_holder_at_a_time_renewed_by_it_taken_over_when_expired_and_released(session_factory):
    first = MailboxLease(session_factory, MAILBOX, 30, holder="replica-a")
    second = MailboxLease(session_factory, MAILBOX, 30, holder="replica-b")
    assert first.acquire() and not second.acquire()
    assert first.acquire()  # renewal
    assert 29 < first.remaining_s() <= 30 and second.remaining_s() == 0
    expire(session_factory)
    assert second.acquire() and not first.acquire()  # the holder "died"; the standby took over
    second.release()
    assert first.acquire()
    with session_factory() as session:
        assert session.execute(select(Lease.holder)).scalars().all() == ["replica-a"]


def test_contenders_for_an_expired_lease_take_it_exactly_once(session_factory):
    with session_factory() as session:
        assert take_or_renew(session, MAILBOX, "dead", 30)
        session.commit()
    expire(session_factory)
    barrier, winners = threading.Barrier(6), []

    def contend(holder: str) -> None:
        with session_factory() as session:
            barrier.wait()
            if take_or_renew(session, MAILBOX, holder, 30):
                winners.append(holder)
            session.commit()

    threads = [threading.Thread(target=contend, args=(f"replica-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(winners) == 1
    with session_factory() as session:
        assert session.execute(select(Lease.holder)).scalar_one() == winners[0]


# -- the poller honours it ---------------------------------------------------------------------


class Sessions:
    """A session factory whose database can be made unreachable (for the lease only)."""

    def __init__(self, real):
        self.real, self.down = real, False

    def __call__(self):
        if self.down:
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database down"))
        return self.real()


def leased_poller(imap_server, session_factory, holder: str, lease_s: float, sessions=None,
                  on_taken=None) -> LeasedPoller:
    settings = ImapSettings(enabled=True, host=imap_server.host, port=imap_server.port, security="plain",
                            username=imap_server.username, password=imap_server.password)
    poller = ImapPoller(settings, session_factory, lambda: datetime.now(timezone.utc))
    lease = MailboxLease(sessions or session_factory, poller.mailbox, lease_s, holder=holder)
    return LeasedPoller(poller, lease, on_taken)


def run_in_thread(leased: LeasedPoller) -> threading.Thread:
    thread = threading.Thread(target=leased.run, daemon=True)
    thread.start()
    return thread


def stored(session_factory) -> int:
    with session_factory() as session:
        return session.execute(select(func.count(RawMessage.id))).scalar_one()


def test_only_the_holder_polls_and_a_lost_lease_stops_polling_promptly(imap_server, session_factory):
    a = leased_poller(imap_server, session_factory, "replica-a", lease_s=3)
    b = leased_poller(imap_server, session_factory, "replica-b", lease_s=3)
    threads = [run_in_thread(a)]
    poll_until(a.poller.connected.is_set, what="replica a polling")
    threads.append(run_in_thread(b))
    poll_until(lambda: b.role == "standby", what="replica b standing by")
    imap_server.append("INBOX", mail(subject="Först"))
    poll_until(lambda: stored(session_factory) == 1, what="the mail stored")
    assert b.poller.sessions_started == 0

    lost_at = time.monotonic()
    expire(session_factory, holder="replica-c")  # someone else holds it now (an operator, a split brain)
    poll_until(lambda: not a.poller.connected.is_set() and a.role == "standby", timeout=10, what="a stopped")
    # The keeper notices at its next renewal (every lease_s/3 = 1 s) and IDLE ends within a second (idle_check_s).
    assert time.monotonic() - lost_at < 1 + 1 + 1.0
    assert b.poller.sessions_started == 0

    expire(session_factory)  # replica c died: whoever asks next gets it
    poll_until(lambda: a.poller.connected.is_set() or b.poller.connected.is_set(), timeout=10,
               what="a replica polling again")
    imap_server.append("INBOX", mail(subject="Sedan"))
    poll_until(lambda: stored(session_factory) == 2, what="the second mail stored")
    for leased in (a, b):
        leased.stop()
    for thread in threads:
        thread.join(15)
        assert not thread.is_alive()
    with session_factory() as session:
        assert session.execute(select(func.count(Lease.name))).scalar_one() == 0  # released on a clean stop


def test_whoever_takes_the_lease_is_told_so_once_per_take(imap_server, session_factory):
    taken: list[str] = []
    a = leased_poller(imap_server, session_factory, "replica-a", 3, on_taken=lambda: taken.append("a"))
    b = leased_poller(imap_server, session_factory, "replica-b", 3, on_taken=lambda: taken.append("b"))
    threads = [run_in_thread(a)]
    poll_until(a.poller.connected.is_set, what="replica a polling")
    threads.append(run_in_thread(b))
    poll_until(lambda: b.role == "standby", what="replica b standing by")
    a.stop()  # a clean stop releases the lease: b takes it within lease_s/3 (the service then sweeps)
    poll_until(b.poller.connected.is_set, timeout=10, what="replica b polling")
    assert taken == ["a", "b"]
    b.stop()
    for thread in threads:
        thread.join(15)


def test_a_holder_that_cannot_reach_the_database_stops_before_its_lease_ends(imap_server, session_factory):
    sessions = Sessions(session_factory)
    a = leased_poller(imap_server, session_factory, "replica-a", lease_s=6, sessions=sessions)
    thread = run_in_thread(a)
    poll_until(a.poller.connected.is_set, what="replica a polling")
    poll_until(lambda: a.lease.remaining_s() > 5.9, what="a fresh renewal")
    sessions.down = True
    down_at = time.monotonic()
    poll_until(lambda: not a.poller.connected.is_set(), timeout=15, what="a stopped polling")
    stopped_after = time.monotonic() - down_at
    # Renewals every 2 s: the first failure leaves 4 s and polling goes on; the second leaves < 2 s,
    # so polling stops, and IDLE ends within a second: before the lease could pass to anyone else.
    assert 2.0 < stopped_after < 6.0
    poll_until(lambda: a.last_error and "database unavailable" in a.last_error, what="the reason reported")
    sessions.down = False
    poll_until(a.poller.connected.is_set, timeout=10, what="polling again once the database is back")
    a.stop()
    thread.join(15)


# -- two `supportbot run` processes, one killed ------------------------------------------------

LEASE_S = 3.0
TAKEOVER_BOUND_S = LEASE_S + LEASE_S / 3


class Replica:
    """`supportbot run` as a subprocess with its own HTTP ports, on the shared database and mailbox."""

    def __init__(self, tmp_path: Path, name: str, db_url: str, imap, sink: SmtpSink):
        self.http_port, self.ops_port = free_port(), free_port()
        config = tmp_path / f"{name}.toml"
        config.write_text(f"""
[desk]
attachments_dir = "{tmp_path / 'attachments'}"
shutdown_grace_s = 5.0
[smtp]
host = "127.0.0.1"
port = {sink.port}
timeout_s = 5.0
[imap]
enabled = true
host = "{imap.host}"
port = {imap.port}
security = "plain"
username = "{imap.username}"
lease_s = {LEASE_S}
[http]
port = {self.http_port}
[ops]
port = {self.ops_port}
""")
        env = service_env() | {"SUPPORTBOT_DATABASE_URL": db_url, "SUPPORTBOT_IMAP_PASSWORD": imap.password}
        self.log = tmp_path / f"{name}.log"
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen([str(SUPPORTBOT), "--config", str(config), "--log-format", "json", "run"],
                                            stdout=subprocess.DEVNULL, stderr=stderr, env=env)

    @property
    def pid(self) -> int:
        return self.process.pid

    def healthy(self) -> bool:
        return http_get(self.ops_port, "/healthz")[0] == 200

    def messages(self) -> list[str]:
        return [json.loads(line)["message"] for line in self.log.read_text().splitlines() if line.startswith("{")]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def unknown(sender: str, subject: str = "Licenser") -> bytes:
    return mail(sender=f"{sender.title()} <{sender}@elsewhere.example>", subject=subject, body="Hur många licenser?")


def test_two_replicas_one_killed_every_mail_once_and_the_survivor_takes_over(db_url, imap_server, tmp_path):
    upgraded = subprocess.run([str(SUPPORTBOT), "db", "upgrade"], capture_output=True, text=True, timeout=60,
                              env=service_env() | {"SUPPORTBOT_DATABASE_URL": db_url})
    assert upgraded.returncode == 0, upgraded.stderr
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    sink = SmtpSink().start()
    replicas: list[Replica] = []

    def lease_holder_pid() -> int | None:
        with sessions() as session:
            holder = session.execute(select(Lease.holder)).scalar_one_or_none()
        return int(holder.split(":")[1]) if holder else None

    def settled(mails: int) -> bool:
        """Every mail processed and every answer handed to the SMTP server."""
        with sessions() as session:
            states = Counter(session.execute(select(RawMessage.state)).scalars())
            unsent = session.execute(select(func.count(OutboxRow.id)).where(
                OutboxRow.state.in_(("pending", "sending")))).scalar_one()
        return states == {"processed": mails} and unsent == 0

    try:
        first = Replica(tmp_path, "first", db_url, imap_server, sink)
        replicas.append(first)
        poll_until(lambda: first.healthy() and lease_holder_pid() == first.pid, timeout=30,
                   what="the first replica up and holding the mailbox")
        second = Replica(tmp_path, "second", db_url, imap_server, sink)
        replicas.append(second)
        poll_until(second.healthy, timeout=30, what="the second replica up (standing by)")

        before = [unknown(name) for name in ("alva", "bertil", "cecilia", "david")]
        for raw in before:
            imap_server.append("INBOX", raw)
        poll_until(lambda: settled(4) and len(sink.messages) == 4, timeout=30, what="the first four answered")

        first.process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.process.wait(10)
        after = [unknown(name) for name in ("erik", "frida", "gustav")]
        after.append(unknown("alva", subject="Licenser igen"))  # already answered: the rate limit holds
        for raw in [*after, before[0]]:  # and a redelivery of a stored mail (same Message-ID)
            imap_server.append("INBOX", raw)
        poll_until(lambda: lease_holder_pid() == second.pid, timeout=TAKEOVER_BOUND_S + 10,
                   interval=0.01, what="the survivor holding the lease")
        took_over_s = time.monotonic() - killed_at
        poll_until(lambda: settled(8) and len(sink.messages) >= 7, timeout=30, what="the rest answered")

        recipients = Counter(rcpt for _from, rcpts, _raw in sink.messages for rcpt in rcpts)
        assert recipients == Counter({f"{name}@elsewhere.example": 1 for name in (
            "alva", "bertil", "cecilia", "david", "erik", "frida", "gustav")})
        with sessions() as session:
            # Stored once, processed once (`attempts` counts takes), one inquiry each, one answer per sender.
            attempts = session.execute(select(RawMessage.attempts)).scalars().all()
            assert sorted(attempts) == [1] * 8
            assert session.execute(select(func.count(Inquiry.id))).scalar_one() == 8
            assert session.execute(select(func.count(AutoreplyLog.id))).scalar_one() == 7
            assert session.execute(select(ImapCursor.last_uid)).scalar_one() == 9
        assert took_over_s <= TAKEOVER_BOUND_S + 1.0, f"took over after {took_over_s:.2f} s"
        assert any(message.startswith(f"imap {MAILBOX}: lease taken") for message in second.messages())

        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(15) == 0
        assert lease_holder_pid() is None  # released on a clean stop
    finally:
        for replica in replicas:
            replica.close()
        sink.stop()
        engine.dispose()
