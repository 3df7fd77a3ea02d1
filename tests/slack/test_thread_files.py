"""Customers' files reach the card's thread: uploaded through Slack's upload flow, or linked with a signed URL."""

from __future__ import annotations

import re

from sqlalchemy import update

from storage.models import Attachment, OutboxRow, Ticket
from tests.slack.files_fixtures import (EXE, MB, PDF, STAFF, big_file, deliver, files_desk, mail_with_files,  # noqa: F401
                                        make_desk,
                                        png, standin, zip_of)

LINK = re.compile(r"<(https://support\.example\.com/files/[^|>]+)\|Download>")


def ticket_of(desk) -> Ticket:
    with desk.sessions() as session:
        return session.query(Ticket).one()


def thread(standin, ticket):
    return [m for m in standin.messages(STAFF) if m.get("thread_ts") == ticket.slack_card_ts]


def test_a_png_and_a_pdf_are_uploaded_into_the_thread_the_large_and_the_executable_get_links(files_desk, standin):
    desk = files_desk()
    desk.receive(mail_with_files([("skärmdump.png", "image/png", png()), ("faktura.pdf", "application/pdf", PDF),
                                  ("loggar.bin", "application/octet-stream", big_file(30 * MB)),
                                  ("invoice.pdf", "application/pdf", EXE)]))
    deliver(desk)
    ticket = ticket_of(desk)
    uploads = standin.uploaded_files()
    assert sorted(f["filename"] for f in uploads) == ["faktura.pdf", "skärmdump.png"]
    assert all(f["completed"] and f["channel"] == STAFF and f["thread_ts"] == ticket.slack_card_ts for f in uploads)
    assert not any(f["content"].startswith(b"MZ") for f in uploads)  # nothing executable reached Slack
    assert [f["content"] for f in uploads if f["filename"] == "skärmdump.png"] == [png()]
    posts = thread(standin, ticket)
    assert "Åsa Andersson" in posts[0]["text"]  # the message first, its files after it
    assert posts[0]["blocks"][-1]["elements"][0]["action_id"] == "full_message"
    lines = [m["text"] for m in posts if LINK.search(m.get("text", ""))]
    assert len(lines) == 2
    assert any("loggar.bin" in line and "30 MB" in line and "larger than 20 MB" in line for line in lines)
    assert any("invoice.pdf" in line and "a Windows program" in line for line in lines)


def test_an_archive_holding_a_program_is_linked_an_office_file_is_uploaded(files_desk, standin):
    desk = files_desk()
    docx = zip_of(**{"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    desk.receive(mail_with_files([("rapport.docx", "application/vnd.openxmlformats-officedocument", docx),
                                  ("bilder.zip", "application/zip", zip_of(**{"a.png": png(), "setup.jpg": EXE})),
                                  ("run.txt", "text/plain", b"#!/bin/sh\nrm -rf ~\n")]))
    deliver(desk)
    assert [f["filename"] for f in standin.uploaded_files()] == ["rapport.docx"]
    lines = [m["text"] for m in thread(standin, ticket_of(desk)) if LINK.search(m.get("text", ""))]
    assert any("bilder.zip" in line and "an archive holding a Windows program" in line for line in lines)
    assert any("run.txt" in line and "a script" in line for line in lines)


def test_a_signature_logo_sent_again_is_skipped_and_the_message_total_caps_uploads(files_desk, standin):
    desk = files_desk(files={"message_max_bytes": 5000})
    logo = png(seed=7)
    desk.receive(mail_with_files([("a.pdf", "application/pdf", PDF)], inline=(("logo1", logo),)))
    desk.receive(mail_with_files([("b.pdf", "application/pdf", PDF + b"%2"), ("c.bin", "application/octet-stream",
                                   b"x" * 4990)], inline=(("logo1", logo),), subject="Re: Skärmdump av felet"))
    deliver(desk)
    names = [f["filename"] for f in standin.uploaded_files()]
    assert names.count("logo.png") == 1  # the first mail's logo may be a picture; the repeated one is not
    assert "b.pdf" in names and "c.bin" not in names
    assert any("c.bin" in m["text"] and "upload total" in m["text"] for m in standin.messages(STAFF))


def test_a_redelivered_upload_job_uploads_once(files_desk, standin):
    desk = files_desk()
    desk.receive(mail_with_files([("skärmdump.png", "image/png", png())]))
    deliver(desk)
    assert len(standin.uploaded_files()) == 1
    with desk.sessions() as session:  # the worker "died" after Slack shared the file, before settling the row
        session.execute(update(OutboxRow).where(OutboxRow.kind == "slack.file")
                        .values(state="pending", claimed_by=None, claimed_until=None))
        session.commit()
    deliver(desk)
    assert len(standin.uploaded_files()) == 1
    assert len(standin.calls("files.info")) == 1
    with desk.sessions() as session:
        row = session.query(OutboxRow).filter_by(kind="slack.file").one()
        assert row.state == "sent" and row.result["already_shared"] is True


def test_an_upload_cut_short_is_done_again_and_a_429_is_retried(files_desk, standin):
    desk = files_desk()
    desk.receive(mail_with_files([("skärmdump.png", "image/png", png())]))
    standin.fail_next("upload", status=500)
    deliver(desk)
    with desk.sessions() as session:
        row = session.query(OutboxRow).filter_by(kind="slack.file").one()
        assert row.state == "pending" and row.result["file_id"]  # the reserved id, kept for the next attempt
        session.execute(update(OutboxRow).where(OutboxRow.id == row.id).values(next_attempt_at=desk.clock()))
        session.commit()
    standin.fail_next("files.completeUploadExternal", status=429)
    deliver(desk)
    with desk.sessions() as session:
        session.execute(update(OutboxRow).where(OutboxRow.kind == "slack.file").values(next_attempt_at=desk.clock()))
        session.commit()
    deliver(desk)
    shared = [f for f in standin.uploaded_files() if f["completed"]]
    assert len(shared) == 1 and shared[0]["content"] == png()


def test_a_file_no_longer_kept_gets_a_line_without_a_link(files_desk, standin):
    desk = files_desk()
    desk.receive(mail_with_files([("stor.pdf", "application/pdf", PDF)]))
    with desk.sessions() as session:  # as retention leaves it: the row stays, the file is gone
        session.execute(update(Attachment).values(stored=False))
        session.commit()
    deliver(desk)
    line = next(m["text"] for m in standin.messages(STAFF) if "stor.pdf" in m.get("text", "") and "not kept" in m["text"])
    assert "Download" not in line and standin.uploaded_files() == []
