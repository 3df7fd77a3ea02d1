"""Retention: bodies, raw mail and files of long-closed tickets go; tickets, events and statistics stay."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage.attachment_store import AttachmentStore
from bot.app.config import Settings
from bot.domain.hours.calendar import calendar_from_settings
from bot.mail.raw_store import FetchedMail, store_batch
from bot.intake.mail_runner import IntakeProcessor
from bot.jobs.retention import PURGED, RetentionJob, purge_closed_tickets
from storage.models import (
    Attachment, Contact, Inquiry, Organisation, OutboxRow, RawMessage, SurveyResponse, Ticket, TicketEvent,
    TicketMessage,
)
from tests.handlers.conftest import OPEN, mail

NOW = OPEN.astimezone(timezone.utc)
SHARED_FILE = b"%PDF-1.4 the same invoice, attached to two tickets"


def with_attachment(sender: str, subject: str, body: str, content: bytes, filename: str = "faktura.pdf",
                    **kwargs) -> bytes:
    """A multipart mail: text plus one attachment."""
    import base64

    encoded = base64.b64encode(content).decode()
    raw = mail(sender=sender, subject=subject, body="", **kwargs).decode()
    head = raw.split("MIME-Version: 1.0\r\n", 1)[0]
    return (
        f"{head}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        f"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
        f"--b1\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment; filename=\"{filename}\"\r\n\r\n{encoded}\r\n--b1--\r\n"
    ).encode()


class Mailroom:
    """Mail in the way the service takes it: stored raw by an edge, then run through intake at a chosen instant."""

    def __init__(self, session_factory, attachments_dir, **sections):
        self.sessions = session_factory
        self.settings = Settings.model_validate({"portal": {"new_case_policy": "ticket"}, **sections})
        self.store = AttachmentStore(attachments_dir)
        self.services = {"calendar": calendar_from_settings(self.settings.hours), "attachments": self.store}
        with session_factory() as session:
            org = Organisation(number="1001", name="Kommunen AB", created_at=NOW)
            session.add_all([
                org,
                Contact(organisation=org, email="asa@kund.se", name="Åsa Andersson", language="sv", created_at=NOW),
                Contact(organisation=org, email="john@kund.se", name="John Smith", language="en", created_at=NOW),
            ])
            session.commit()

    def receive(self, raw: bytes, at: datetime = NOW) -> int:
        [raw_id] = store_batch(self.sessions, [FetchedMail(raw=raw)], "smtp", at)
        IntakeProcessor(self.sessions, self.settings, lambda: at, self.services).process_ids([raw_id])
        return raw_id

    def ticket_of(self, raw_id: int) -> Ticket:
        with self.sessions() as session:
            return session.execute(select(Ticket).join(TicketMessage, TicketMessage.ticket_id == Ticket.id)
                                   .where(TicketMessage.raw_message_id == raw_id)).scalar_one()

    def close(self, ticket: Ticket, closed_at: datetime) -> None:
        with self.sessions() as session:
            row = session.get(Ticket, ticket.id)
            row.status, row.closed_at = "closed", closed_at
            session.commit()


@pytest.fixture
def mailroom(session_factory, tmp_path):
    return Mailroom(session_factory, tmp_path / "attachments")


def messages_of(session, ticket) -> list[TicketMessage]:
    return list(session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
                                .order_by(TicketMessage.id)).scalars())


def test_a_ticket_closed_past_retention_loses_bodies_raw_mail_and_files_and_keeps_the_rest(mailroom, session_factory):
    old_raw = mailroom.receive(with_attachment("Åsa Andersson <asa@kund.se>", "Fakturan är fel",
                                               "Hej, fakturan har fel belopp.", SHARED_FILE))
    old = mailroom.ticket_of(old_raw)
    reply_raw = mailroom.receive(mail(subject=f"Re: [{old.reference}] Fakturan är fel", body="Här är mer info."))
    recent = mailroom.ticket_of(mailroom.receive(with_attachment(
        "John Smith <john@kund.se>", "Invoice question", "The same invoice.", SHARED_FILE)))
    mailroom.close(old, NOW - timedelta(days=400))
    mailroom.close(recent, NOW - timedelta(days=10))
    with session_factory() as session:
        session.add(SurveyResponse(ticket_id=old.id, rating=4, comment="Bra hjälp", line=1, answered_at=NOW))
        events_before = session.execute(select(func.count()).where(TicketEvent.ticket_id == old.id)).scalar_one()
        session.commit()

    counts = purge_closed_tickets(session_factory, mailroom.store, 365, NOW)

    assert counts["tickets"] == 1 and counts["attachments"] == 1 and counts["raw_mails"] == 2
    with session_factory() as session:
        ticket = session.get(Ticket, old.id)
        assert (ticket.reference, ticket.subject, ticket.status) == (old.reference, "Fakturan är fel", "closed")
        purged = messages_of(session, ticket)
        assert len(purged) >= 2 and all((m.text, m.stripped_text, m.html) == ("", None, None) for m in purged)
        assert all(m.message_id for m in purged if m.direction == "inbound")  # later mail still threads
        assert session.get(RawMessage, old_raw).raw is None and session.get(RawMessage, reply_raw).raw is None
        assert session.get(RawMessage, old_raw).message_id  # the dedupe key stays
        [attachment] = session.execute(select(Attachment).join(TicketMessage).where(
            TicketMessage.ticket_id == old.id)).scalars().all()
        assert attachment.stored is False and attachment.size == len(SHARED_FILE)
        # The other ticket still needs the same content-addressed file.
        assert mailroom.store.path(attachment.sha256).exists()
        assert session.get(SurveyResponse, 1).rating == 4
        kinds = list(session.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == old.id)).scalars())
        assert len(kinds) == events_before + 1 and kinds.count(PURGED) == 1
        untouched = messages_of(session, session.get(Ticket, recent.id))
        assert untouched[0].text.startswith("The same invoice")

    assert purge_closed_tickets(session_factory, mailroom.store, 365, NOW)["tickets"] == 0  # idempotent

    mailroom.close(recent, NOW - timedelta(days=366))
    assert purge_closed_tickets(session_factory, mailroom.store, 365, NOW)["tickets"] == 1
    assert not mailroom.store.path(attachment.sha256).exists()  # nothing stored points at it any more


def test_a_reopened_and_closed_again_ticket_is_purged_again(mailroom, session_factory):
    ticket = mailroom.ticket_of(mailroom.receive(mail(subject="Exporten")))
    mailroom.close(ticket, NOW - timedelta(days=400))
    assert purge_closed_tickets(session_factory, mailroom.store, 365, NOW)["tickets"] == 1
    later = NOW + timedelta(days=1)
    mailroom.receive(mail(subject=f"Re: [{ticket.reference}] Exporten", body="Det hände igen."), at=later)
    mailroom.close(ticket, later)
    assert purge_closed_tickets(session_factory, mailroom.store, 365, later)["tickets"] == 0
    much_later = later + timedelta(days=366)
    assert purge_closed_tickets(session_factory, mailroom.store, 365, much_later)["tickets"] == 1
    with session_factory() as session:
        assert all(m.text == "" for m in messages_of(session, ticket))


def test_purging_goes_in_batches_and_the_job_reports_once(mailroom, session_factory):
    tickets = [mailroom.ticket_of(mailroom.receive(mail(subject=f"Ärende {n}", body=f"Text {n}"))) for n in range(5)]
    for ticket in tickets:
        mailroom.close(ticket, NOW - timedelta(days=800))
    stopped = RetentionJob(session_factory, mailroom.store, 365, lambda: NOW, batch=2)
    stopped.stop()  # the service is shutting down: no new batch starts
    assert stopped.purge() is None
    job = RetentionJob(session_factory, mailroom.store, 365, lambda: NOW, batch=2)
    assert job.purge().startswith("purged 5 tickets closed over 365 days ago")
    assert job.purge() is None
    with session_factory() as session:
        assert session.execute(select(func.count()).where(TicketEvent.kind == PURGED)).scalar_one() == 5
        assert session.execute(select(func.count()).where(TicketMessage.text != "")).scalar_one() == 0


def test_settled_outbox_payloads_and_inquiry_text_are_cut_to_what_was_sent(mailroom, session_factory):
    ticket = mailroom.ticket_of(mailroom.receive(mail(subject="Licenser", body="Hur många licenser har vi?")))
    with session_factory() as session:
        [receipt] = session.execute(select(OutboxRow).where(OutboxRow.ticket_id == ticket.id,
                                                            OutboxRow.kind == "email")).scalars()
        receipt.state = "sent"
        session.add(Inquiry(kind="new_case", channel="email", sender_email="asa@kund.se", text="Hur många?",
                            ticket_id=ticket.id, created_at=NOW))
        session.commit()
        template, message_id = receipt.payload["template"], receipt.payload["message_id"]
    mailroom.close(ticket, NOW - timedelta(days=400))
    counts = purge_closed_tickets(session_factory, mailroom.store, 365, NOW)
    assert counts["outbox_rows"] == 1 and counts["inquiries"] == 1
    with session_factory() as session:
        payload = session.get(OutboxRow, receipt.id).payload
        assert payload == {"template": template, "lang": "sv", "message_id": message_id,
                           "reference": ticket.reference, "purged": True}
        assert session.execute(select(Inquiry.text)).scalar_one() == ""


def test_old_raw_mail_that_became_nothing_loses_its_bytes_and_keeps_its_row(mailroom, session_factory):
    from sqlalchemy import update

    old, recent = NOW - timedelta(days=800), NOW - timedelta(days=10)
    out_of_office = mail(subject="Frånvaro", headers="Auto-Submitted: auto-replied\r\n")
    dropped_old = mailroom.receive(out_of_office, at=old)
    dropped_recent = mailroom.receive(mail(subject="Frånvaro", headers="Auto-Submitted: auto-replied\r\n"), at=recent)
    inquiry_old = mailroom.receive(mail(sender="okand@annan.se", subject="Hej"), at=old)  # linked: an inquiry
    [waiting_old] = store_batch(session_factory, [FetchedMail(raw=mail(subject="Ej behandlad"))], "smtp", old)
    [quarantined_old] = store_batch(session_factory, [FetchedMail(raw=mail(subject="Trasig"))], "smtp", old)
    with session_factory() as session:
        session.execute(update(RawMessage).where(RawMessage.id == quarantined_old).values(state="quarantined"))
        session.commit()
        assert session.get(RawMessage, dropped_old).state == "dropped"
    job = RetentionJob(session_factory, mailroom.store, 365, lambda: NOW, batch=1)
    assert job.purge().endswith("; 2 raw mails linked to nothing")
    assert job.purge() is None
    with session_factory() as session:
        rows = {row.id: row for row in session.execute(select(RawMessage)).scalars()}
        assert rows[dropped_old].raw is None and rows[quarantined_old].raw is None
        assert all(rows[raw_id].raw is not None for raw_id in (dropped_recent, inquiry_old, waiting_old))
    assert store_batch(session_factory, [FetchedMail(raw=out_of_office)], "smtp", NOW) == []  # still recognised
