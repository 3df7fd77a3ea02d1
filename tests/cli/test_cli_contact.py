"""`supportbot contact forget EMAIL`: a person's data goes; tickets and ratings stay, without them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage.models import (
    Attachment, AutoreplyLog, Contact, Inquiry, OutboxRow, RawMessage, SurveyResponse, Ticket, TicketEvent,
    TicketMessage, TicketParticipant,
)
from tests.handlers.conftest import mail
from tests.jobs.test_retention import NOW, SHARED_FILE, Mailroom, with_attachment

ASA = "asa@kund.se"


@pytest.fixture
def desk(session_factory, tmp_path, db_url):
    """Åsa's case with a reply, an attachment, an out-of-office, an inquiry and a rating; John's case beside it."""
    room = Mailroom(session_factory, tmp_path / "attachments")
    first = room.receive(with_attachment("Åsa Andersson <asa@kund.se>", "Exporten fungerar inte",
                                         "Exporten stannar vid 50 %.", b"asa's own screenshot"))
    ticket = room.ticket_of(first)
    room.receive(mail(subject=f"Re: [{ticket.reference}] Exporten fungerar inte", body="Det gäller alla filer."))
    room.receive(mail(subject="Frånvaro", body="Jag är ledig.", headers="Auto-Submitted: auto-replied\r\n"))
    johns = room.ticket_of(room.receive(with_attachment("John Smith <john@kund.se>", "Invoice", "Wrong sum.",
                                                        SHARED_FILE)))
    portal_room = Mailroom.__new__(Mailroom)  # the same desk, with the default portal policy
    portal_room.__dict__.update(room.__dict__, settings=room.settings.model_copy(
        update={"portal": room.settings.portal.model_copy(update={"new_case_policy": "portal"})}))
    portal_room.receive(mail(subject="Ny fråga", body="Kan ni hjälpa oss med en ny sak?"))
    with session_factory() as session:
        session.add(SurveyResponse(ticket_id=ticket.id, rating=5, comment="Åsa tycker det var bra", line=1,
                                   answered_at=NOW))
        # As if the receipt had been delivered: the desk's mail to her, with her name in the greeting.
        receipt = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket.id,
                                                              TicketMessage.direction == "outbound")).scalars().first()
        receipt.text = "Hej Åsa Andersson, vi har tagit emot ditt ärende."
        session.commit()
    env = {"SUPPORTBOT_DATABASE_URL": db_url, "SUPPORTBOT_DESK_ATTACHMENTS_DIR": str(tmp_path / "attachments")}
    return room, ticket, johns, env


def snapshot(session_factory) -> dict:
    """Everything that names Åsa, as counts."""
    with session_factory() as session:
        def count(query):
            return len(session.execute(query).all())
        return {
            "contact": count(select(Contact.id).where(Contact.email == ASA)),
            "authored": count(select(TicketMessage.id).where(TicketMessage.author_email == ASA)),
            "inquiries": count(select(Inquiry.id).where(Inquiry.sender_email == ASA)),
            "participants": count(select(TicketParticipant.id).where(TicketParticipant.email == ASA)),
            "autoreplies": count(select(AutoreplyLog.id).where(AutoreplyLog.recipient == ASA)),
            "raw": sum(ASA.encode() in raw for raw in session.execute(select(RawMessage.raw)).scalars() if raw),
            "outbox": sum(ASA in str(payload) for payload in session.execute(select(OutboxRow.payload)).scalars()),
            "events": sum(ASA in str(data) for data in session.execute(select(TicketEvent.data)).scalars()),
        }


def test_dry_run_counts_and_changes_nothing(desk, session_factory):
    room, _ticket, _johns, env = desk
    before = snapshot(session_factory)
    result = CliRunner().invoke(main, ["contact", "forget", ASA, "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"dry run, nothing changed; forgetting {ASA} would remove:")
    assert "contact row deleted" in result.output and "inquiries from them deleted" in result.output
    assert snapshot(session_factory) == before and all(before.values())
    with session_factory() as session:
        shas = session.execute(select(Attachment.sha256)).scalars().all()
    assert all(room.store.path(sha).exists() for sha in shas)


def test_forget_removes_the_person_and_keeps_anonymous_statistics(desk, session_factory):
    room, ticket, johns, env = desk
    with session_factory() as session:
        [her_file] = session.execute(select(Attachment).join(TicketMessage).where(
            TicketMessage.ticket_id == ticket.id)).scalars().all()

    result = CliRunner().invoke(main, ["contact", "forget", "Asa@Kund.SE"], env=env)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"forgot {ASA}:"
    reported = {line.split(None, 1)[1]: int(line.split()[0]) for line in lines[1:]}
    assert reported["contact row deleted"] == 1
    assert reported["tickets kept without the contact"] == 1
    assert reported["their messages: bodies and author fields purged"] == 2
    assert reported["mails sent to them: bodies purged"] == 1
    assert reported["attachment files removed from their messages"] == 1
    assert reported["raw mails from them purged"] == 4  # case, reply, out-of-office, inquiry
    assert reported["inquiries from them deleted"] == 1
    assert reported["survey comments cleared (ratings kept)"] == 1
    assert {key: value for key, value in snapshot(session_factory).items()} == dict.fromkeys(snapshot(session_factory), 0)

    with session_factory() as session:
        kept = session.get(Ticket, ticket.id)
        assert kept.reference == ticket.reference and kept.contact_id is None
        assert kept.organisation_id == ticket.organisation_id  # statistics per organisation stay
        theirs = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)).scalars().all()
        assert all(m.text == "" and m.author_name is None for m in theirs if m.direction == "inbound")
        assert "Åsa" not in " ".join(m.text for m in theirs)
        rating = session.execute(select(SurveyResponse).where(SurveyResponse.ticket_id == ticket.id)).scalar_one()
        assert (rating.rating, rating.line, rating.comment) == (5, 1, None)
        attachment = session.get(Attachment, her_file.id)
        assert (attachment.stored, attachment.filename) == (False, "")
        assert session.execute(select(Contact.email)).scalars().all() == ["john@kund.se"]
        john = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == johns.id,
                                                           TicketMessage.direction == "inbound")).scalar_one()
        assert john.text.startswith("Wrong sum.") and john.author_email == "john@kund.se"
    assert not room.store.path(her_file.sha256).exists()

    again = CliRunner().invoke(main, ["contact", "forget", ASA], env=env)
    assert again.exit_code == 0 and again.output.strip() == f"no personal data found for {ASA}"


def test_forget_needs_an_address(db_url):
    result = CliRunner().invoke(main, ["contact", "forget", "asa"], env={"SUPPORTBOT_DATABASE_URL": db_url})
    assert result.exit_code == 2 and "not an e-mail address" in result.output


def test_export_gives_everything_stored_about_them_and_nothing_once_forgotten(desk, session_factory):
    _room, ticket, johns, env = desk
    result = CliRunner().invoke(main, ["contact", "export", "Asa@Kund.SE"], env=env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["email"] == ASA
    assert (document["contact"]["name"], document["contact"]["organisation"]) == (
        "Åsa Andersson", {"customer_number": "1001", "name": "Kommunen AB"})
    assert [t["reference"] for t in document["tickets"]] == [ticket.reference]
    assert [m["text"].split("\n")[0] for m in document["messages"]] == ["Exporten stannar vid 50 %.",
                                                                         "Det gäller alla filer."]
    assert document["messages"][0]["attachments"][0]["size"] == len(b"asa's own screenshot")
    assert [(i["kind"], i["subject"]) for i in document["inquiries"]] == [("new_case", "Ny fråga")]
    assert [(a["ticket"], a["rating"], a["comment"]) for a in document["survey_answers"]] == [
        (ticket.reference, 5, "Åsa tycker det var bra")]
    # One automatic answer per window: the receipt; the later inquiry went unanswered.
    assert [(row["kind"], row["payload"]["template"], row["ticket"]) for row in document["outbox"]
            if row["kind"] == "email"] == [("email", "case_received", ticket.reference)]
    assert [row["template"] for row in document["autoreplies"]] == ["case_received"]
    assert len(document["raw_mails"]) == 4  # case, reply, out-of-office, inquiry: what forget purges
    assert johns.reference not in result.output and "Wrong sum." not in result.output

    CliRunner().invoke(main, ["contact", "forget", ASA], env=env)
    after = json.loads(CliRunner().invoke(main, ["contact", "export", ASA], env=env).output)
    assert after["contact"] is None
    assert {key: value for key, value in after.items() if value and key not in ("email", "exported_at")} == {}


def test_forget_also_scrubs_the_phone_number_the_directory_had_for_them(desk, session_factory):
    _room, _ticket, johns, env = desk
    with session_factory() as session:
        session.execute(select(Contact).where(Contact.email == ASA)).scalar_one().phone = "+46 70 555 12 34"
        johns_message = session.execute(select(TicketMessage).where(TicketMessage.ticket_id == johns.id,
                                                                    TicketMessage.direction == "inbound")).scalar_one()
        johns_message.text += "\nRing Åsa på +46 70 555 12 34."
        session.commit()
    assert CliRunner().invoke(main, ["contact", "forget", ASA], env=env).exit_code == 0
    with session_factory() as session:
        text = session.get(TicketMessage, johns_message.id).text
    assert "555 12 34" not in text and "(forgotten)" in text and text.startswith("Wrong sum.")
