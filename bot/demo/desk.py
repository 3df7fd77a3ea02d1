"""The demo desk: its settings (embedded defaults on 127.0.0.1) and the people and ticket it starts with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.desk.directory_import import import_file
from bot.desk.roster import add_agent
from bot.domain.tickets import Status
from bot.devtools.slack_standin import DEFAULT_TOKEN
from storage.repositories import tickets
from storage.repositories.directory import find_contact

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SUPPORT = "support@vendor.example"
STAFF_CHANNEL, ALERTS_CHANNEL = "C0DEMOSTAFF", "C0DEMOALERT"
# The Slack desk is not wired into the service yet. Once it is, this one line
# turns it on: cards and thread posts then appear through the stand-in's printer.
SLACK_ENABLED = True
SEEDED_AT = datetime(2026, 3, 9, 14, 0, tzinfo=STOCKHOLM)  # Monday afternoon, before the scenario
DIRECTORY_CSV = Path(__file__).with_name("directory.csv")  # the customer portal's export, as a desk gets it


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    language: str = "sv"
    slack_user: str | None = None

    @property
    def address(self) -> str:
        return f"{self.name} <{self.email}>"


ASA = Person("Åsa Andersson", "asa@vasterby.example", "sv")
JOHN = Person("John Smith", "john@vasterby.example", "en")
STRANGER = Person("Kim Okänd", "kim@elsewhere.example")
AGENTS = (Person("Anna Lind", "anna@vendor.example", slack_user="U0DEMOANNA"),
          Person("Erik Berg", "erik@vendor.example", slack_user="U0DEMOERIK"))


@dataclass(frozen=True)
class Ports:
    smtp_ingress: int
    http: int
    ops: int
    sink: int


def demo_settings(base: Path, ports: Ports, slack_api_url: str) -> Settings:
    """Settings for the demo: everything on 127.0.0.1, the database and files under ``base``."""
    return Settings.model_validate({
        "desk": {"name": "Vendor Support", "support_address": SUPPORT, "attachments_dir": str(base / "attachments"),
                 "secret_key": "demo-only-secret-key", "shutdown_grace_s": 5},
        "database": {"url": f"sqlite:///{base / 'supportbot.db'}"},
        "smtp": {"host": "127.0.0.1", "port": ports.sink, "security": "plain", "timeout_s": 10,
                 "from_address": SUPPORT, "from_name": "Vendor Support", "retry_base_s": 1, "retry_max_s": 10},
        "smtp_ingress": {"enabled": True, "host": "127.0.0.1", "port": ports.smtp_ingress, "recipients": [SUPPORT]},
        "slack": {"enabled": SLACK_ENABLED, "mode": "http", "bot_token": DEFAULT_TOKEN,
                  "signing_secret": "demo-signing-secret", "staff_channel": STAFF_CHANNEL,
                  "alerts_channel": ALERTS_CHANNEL, "api_base_url": slack_api_url, "min_post_interval_s": 0},
        "http": {"enabled": True, "host": "127.0.0.1", "port": ports.http,
                 "public_base_url": f"http://127.0.0.1:{ports.http}/"},
        "ops": {"enabled": True, "host": "127.0.0.1", "port": ports.ops},
        "portal": {"url": "https://portal.vendor.example/", "webhook_secret": "demo-portal-secret"},
        # The weekly post keys on the clock, and the demo's clock jumps between frozen 2026 instants: a post
        # queued at the real time before step 1 would wait for a time the frozen clock never reaches, and
        # hold the step up. The demo writes the report's HTML at its end instead (bot/demo/report.py).
        "report": {"enabled": False},
    })


def seed(sessions: sessionmaker[Session], settings: Settings) -> str:
    """The directory from the shipped CSV (as `supportbot directory import` reads it), two agents (as `supportbot
    agent add` adds them), and one ticket waiting on John; returns its reference."""
    at = SEEDED_AT
    with sessions() as session:
        report = import_file(session, DIRECTORY_CSV.read_bytes(), at)
        if report.rejected or not report.written:
            raise RuntimeError(f"{DIRECTORY_CSV}: {report.as_json()['rejected']}")
        for line, agent in enumerate(AGENTS, start=1):
            add_agent(session, agent.email, agent.name, line, agent.slack_user, at)
        john = find_contact(session, JOHN.email)
        ticket = tickets.create_ticket(
            session, subject="Export to Excel stops at 80 %", origin="portal", created_at=at,
            prefix=settings.desk.reference_prefix, desk_zone=settings.hours.timezone, participants=(JOHN.email,), status=Status.WAITING_ON_CUSTOMER,
            language="en", contact_id=john.id, organisation_id=john.organisation_id,
        )
        session.commit()
        return ticket.reference
