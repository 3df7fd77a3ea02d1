"""A desk with registered customers, and a way to push a raw mail through the e-mail pipeline."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.intake import pipeline
from storage.attachment_store import AttachmentStore
from bot.app.config import Settings
from bot.domain.hours.calendar import calendar_from_settings
from handlers.base import PipelineContext
from storage.models import Contact, Organisation, OutboxRow

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPEN = datetime(2026, 3, 10, 10, 15, tzinfo=STOCKHOLM)     # Tuesday, open
CLOSED = datetime(2026, 3, 14, 11, 0, tzinfo=STOCKHOLM)    # Saturday, closed until Monday 16 March 09:00


class Desk:
    """Runs mails through the pipeline at chosen instants; each mail in its own transaction."""

    def __init__(self, session_factory, settings: Settings, attachments_dir):
        self.sessions = session_factory
        self.settings = settings
        self.services = {"calendar": calendar_from_settings(settings.hours),
                         "attachments": AttachmentStore(attachments_dir)}

    def receive(self, raw: bytes, at: datetime = OPEN, dry_run: bool = False) -> pipeline.Outcome:
        with self.sessions() as session:
            ctx = PipelineContext(session, self.settings, at.astimezone(timezone.utc), raw=raw,
                                  services=self.services, dry_run=dry_run)
            outcome = pipeline.run("email", ctx)
            session.commit()
            return outcome

    def mails(self) -> list[OutboxRow]:
        with self.sessions() as session:
            return list(session.query(OutboxRow).filter_by(kind="email").order_by(OutboxRow.id))


@pytest.fixture
def make_desk(session_factory, tmp_path):
    def make(**sections) -> Desk:
        settings = Settings.model_validate(sections)
        with session_factory() as session:
            org = Organisation(number="1001", name="Kommunen AB", created_at=OPEN)
            session.add_all([
                org,
                Contact(organisation=org, email="asa@kund.se", name="Åsa Andersson", language="sv", created_at=OPEN),
                Contact(organisation=org, email="john@kund.se", name="John Smith", language="en", created_at=OPEN),
                Contact(organisation=org, email="former@kund.se", name="Ex Admin", authorised=False, created_at=OPEN),
            ])
            session.commit()
        return Desk(session_factory, settings, tmp_path / "attachments")
    return make


@pytest.fixture
def desk(make_desk):
    return make_desk()


def mail(sender="Åsa Andersson <asa@kund.se>", subject="Exporten fungerar inte", body="Hej!\r\n\r\nExporten stannar.",
         to="support@example.com", message_id=None, headers="", in_reply_to=None) -> bytes:
    """A plain UTF-8 mail; ``headers`` are extra header lines ending in CRLF."""
    import uuid

    message_id = message_id or f"<{uuid.uuid4().hex}@kund.se>"
    threading = f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n" if in_reply_to else ""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        f"Date: Tue, 10 Mar 2026 10:00:00 +0100\r\n{threading}{headers}"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    ).encode()
