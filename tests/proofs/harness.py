"""`supportbot run` as a subprocess for the proofs (and bench/bench_latency.py): config, seed, start, kill.

One process per :class:`ServiceProcess`, started from a TOML file written here
with the secrets in the environment (as the README asks). The test talks to it
only over its real protocols — SMTP ingress, IMAP (Dovecot), HTTP (/healthz and
/metrics on the operators' listener) — and reads its SQLite database the way an operator would.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.models import Contact, Organisation
from storage.repositories import tickets
from tests.support.service_loop import poll_until  # noqa: F401  (re-exported for the proofs)
from tests.support.smtp_sink import free_port
from tests.support.desk_zone import DESK_ZONE

SUPPORTBOT = Path(sys.executable).parent / "supportbot"
SUPPORT = "support@example.com"
STAFF_CHANNEL, ALERTS_CHANNEL = "C0STAFF", "C0ALERTS"
SEEDED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SECRETS = {
    "SUPPORTBOT_DESK_SECRET_KEY": "proof-desk-secret-key",
    "SUPPORTBOT_SLACK_SIGNING_SECRET": "proof-signing-secret",
    "SUPPORTBOT_PORTAL_WEBHOOK_SECRET": "proof-portal-secret",
}


# -- configuration ---------------------------------------------------------------------------


def toml_text(sections: dict[str, dict[str, Any]]) -> str:
    """A TOML file from ``{section: {key: value}}`` (strings, numbers, booleans, lists, inline tables)."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    """JSON spells TOML's strings, numbers, booleans and arrays; a table is ``{ key = value, … }``."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)


@dataclass
class DeskConfig:
    """Where one desk lives and which ports it uses; ``sections`` override or add settings."""

    workdir: Path
    smtp_relay_port: int
    imap: Any = None  # a tests.support.imap_server server, or None for no IMAP
    slack_base_url: str | None = None
    slack_token: str = ""
    ingress_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    ops_port: int = field(default_factory=free_port)
    support_address: str = SUPPORT
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.workdir / 'desk.db'}"

    @property
    def db_path(self) -> Path:
        return self.workdir / "desk.db"

    def settings(self) -> dict[str, dict[str, Any]]:
        sections: dict[str, dict[str, Any]] = {
            "desk": {"support_address": self.support_address, "attachments_dir": str(self.workdir / "attachments"),
                     "shutdown_grace_s": 5.0},
            "database": {"url": self.db_url},
            "smtp": {"host": "127.0.0.1", "port": self.smtp_relay_port, "timeout_s": 5.0,
                     "from_address": self.support_address, "retry_base_s": 0.2, "retry_max_s": 1.0},
            "smtp_ingress": {"enabled": True, "port": self.ingress_port, "recipients": [self.support_address]},
            "http": {"enabled": True, "port": self.http_port,
                     "public_base_url": f"http://127.0.0.1:{self.http_port}/"},
            "ops": {"port": self.ops_port},
            "portal": {"new_case_policy": "ticket"},
        }
        if self.imap is not None:
            sections["imap"] = {"enabled": True, "host": self.imap.host, "port": self.imap.port, "security": "plain",
                                "username": self.imap.username}
        if self.slack_base_url:
            # min_post_interval_s 0: Slack allows ~1 post per second per channel; the
            # stand-in does not limit, and the proofs measure our code, not the pacing.
            sections["slack"] = {"enabled": True, "mode": "http", "api_base_url": self.slack_base_url,
                                 "staff_channel": STAFF_CHANNEL, "alerts_channel": ALERTS_CHANNEL,
                                 "min_post_interval_s": 0}
        for name, values in self.sections.items():
            sections.setdefault(name, {}).update(values)
        return sections

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
        env.update(SECRETS)
        if self.imap is not None:
            env["SUPPORTBOT_IMAP_PASSWORD"] = self.imap.password
        if self.slack_base_url:
            env["SUPPORTBOT_SLACK_BOT_TOKEN"] = self.slack_token
        return env

    def write(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "supportbot.toml"
        path.write_text(toml_text(self.settings()))
        return path


# -- the database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    contacts: list[str]
    tickets: dict[str, str]  # reference → the participant who may reply


def prepare_database(url: str, *, contacts: int = 0, tickets_per_contact: int = 0, domain: str = "kund.se") -> Seeded:
    """Migrate, then seed one organisation, ``contacts`` registered contacts and existing tickets."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    emails = [f"kontakt{n}@{domain}" for n in range(contacts)]
    refs: dict[str, str] = {}
    with make_session_factory(engine)() as session:
        if contacts:
            org = Organisation(number="1001", name="Kommunen AB", created_at=SEEDED_AT)
            people = [Contact(organisation=org, email=email, name=f"Kontakt {n}", language="sv" if n % 2 else "en",
                              created_at=SEEDED_AT) for n, email in enumerate(emails)]
            session.add_all([org, *people])
            session.flush()
            for person in people:
                for n in range(tickets_per_contact):
                    ticket = tickets.create_ticket(
                        session, desk_zone=DESK_ZONE, subject=f"Befintligt ärende {n} för {person.email}", origin="portal",
                        created_at=SEEDED_AT, participants=(person.email,), status="open", language=person.language,
                        contact_id=person.id, organisation_id=org.id)
                    refs[ticket.reference] = person.email
        session.commit()
    engine.dispose()
    return Seeded(emails, refs)


# -- the process -------------------------------------------------------------------------------


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """(status, body); (0, b"") when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


class ServiceProcess:
    """One `supportbot run` subprocess; stderr (the log) appended to ``log_path`` across restarts."""

    def __init__(self, config: DeskConfig, *, log_format: str = "text"):
        self.config = config
        self.config_path = config.write()
        self.log_path = config.workdir / "service.log"
        self.log_format = log_format
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    @property
    def worker_id(self) -> str:
        """The outbox worker id this process claims rows under (bot/app/service.py)."""
        return f"{socket.gethostname()}:{self.pid}"

    def start(self, extra_env: dict[str, str] | None = None) -> "ServiceProcess":
        """Start `supportbot run`; ``extra_env`` adds variables (e.g. libfaketime's) to the configured ones."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(SUPPORTBOT), "--config", str(self.config_path), "--log-format", self.log_format, "run"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                env={**self.config.environment(), **(extra_env or {})}, start_new_session=True)
        self.starts += 1
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def health(self) -> dict | None:
        status, body = http_get(self.config.ops_port, "/healthz")
        return json.loads(body) if status in (200, 503) and body else None

    def metrics(self) -> str:
        return http_get(self.config.ops_port, "/metrics", timeout=40)[1].decode()

    def wait_healthy(self, timeout: float = 30.0) -> dict:
        def healthy():
            if not self.running():
                raise AssertionError(f"supportbot run exited with {self.process.returncode}; see {self.log_path}")
            health = self.health()
            return health if health and health["status"] == "ok" else None
        return poll_until(healthy, timeout=timeout, interval=0.05, what="/healthz status ok")

    def kill(self) -> None:
        """kill -9: no shutdown code runs at all."""
        if self.running():
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(10)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait; the exit code."""
        if not self.running():
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def vm_hwm_mb(self) -> float:
        """Peak resident set size of the process so far (VmHWM in /proc/<pid>/status)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def expire_leases_of_dead_process(self, worker_id: str) -> int:
        """What time would do after a kill: the dead process's leases end now; returns its claimed outbox rows.

        Two leases outlive a killed process: its outbox claims (``outbox.claim_lease_s``,
        30 s) and the mailbox lease (``imap.lease_s``, 30 s, then a standby retries every
        lease_s/3). A test cannot wait those out after every kill.
        The holder is dead (kill -9) and nothing else runs, so ending them early changes
        no outcome, only when the retry and the next poll happen.
        """
        from sqlalchemy import update

        from storage.models import Lease, OutboxRow

        past = datetime.now(timezone.utc) - timedelta(seconds=1)
        engine = make_engine(self.config.db_url)
        try:
            with make_session_factory(engine)() as session:
                claimed = session.execute(
                    update(OutboxRow).where(OutboxRow.state == "sending", OutboxRow.claimed_by == worker_id)
                    .values(claimed_until=past).execution_options(synchronize_session=False)).rowcount
                session.execute(update(Lease).values(expires_at=past).execution_options(synchronize_session=False))
                session.commit()
        finally:
            engine.dispose()
        return claimed


def metric_value(text: str, line_prefix: str) -> float | None:
    """The value of the first sample line starting with ``line_prefix`` (name plus labels)."""
    for line in text.splitlines():
        if line.startswith(line_prefix + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def send_smtp(port: int, raw: bytes, sender: str, recipients: list[str], timeout: float = 40.0) -> str:
    """One SMTP transaction; returns the final reply text (raises on refusal or connection trouble)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as client:
        client.sendmail(sender, recipients, raw)
    return "250"
