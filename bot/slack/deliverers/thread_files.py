"""Delivers ``slack.file``: one customer file into its card's thread — uploaded, or a line with a signed link.

The plan (upload, link, skip) comes from bot/desk/thread_files.py. An upload
streams the stored file through Slack's upload flow (bot/slack/uploads.py).

Uploaded once, even across a crash: the file id Slack hands out is written to
the row's ``result`` and committed before the bytes go. A
redelivered row (its worker died after Slack shared the file but before the
row was settled) asks ``files.info`` whether that file is already shared in the
thread, and only uploads again when it is not.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.desk.thread_files import KIND, human_size, plan_message
from bot.jobs.outbox import GiveUp, RetryLater
from bot.slack.blocks.files import build_file_link_line
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.uploads import upload_file
from bot.web.file_links import download_url
from storage.attachment_store import AttachmentStore
from storage.models import Attachment, OutboxRow, Ticket


class ThreadFileDeliverer(SlackDeliverer):
    """A SlackDeliverer (client, pacing, error mapping) for the one kind ``slack.file``."""

    def __init__(self, settings, client, calendar, clock, store: AttachmentStore, **kwargs):
        super().__init__(settings, client, calendar, clock, **kwargs)
        self._store = store

    KINDS = {KIND: "file"}

    def file(self, row: OutboxRow, session: Session) -> dict:
        attachment = session.get(Attachment, row.payload["attachment_id"])
        ticket = session.get(Ticket, row.payload["ticket_id"])
        if attachment is None or ticket is None:
            raise GiveUp("the file or its ticket no longer exists")
        if not ticket.slack_card_ts:
            raise RetryLater("the ticket's card is not posted yet")
        plan = plan_message(session, self._store, self._settings, attachment.message_id)[attachment.id]
        if plan.action == "skip":
            return {"skipped": plan.reason}
        if plan.action == "upload":
            return self._upload(row, session, ticket, attachment)
        url, expires_at = (None, None) if plan.action == "missing" else download_url(
            self._settings, "a", attachment.id, self._clock())
        until = f"{expires_at.astimezone(self._calendar.tz):%Y-%m-%d %H:%M}" if expires_at else ""
        line = build_file_link_line(attachment.filename, human_size(attachment.size), plan.reason, url, until)
        response = self._post(ticket.slack_channel, line, thread_ts=ticket.slack_card_ts)
        return {"ts": response["ts"], "link": url is not None}

    def _upload(self, row: OutboxRow, session: Session, ticket: Ticket, attachment: Attachment) -> dict:
        earlier = (row.result or {}).get("file_id")
        if earlier and self._shared_in_thread(earlier, ticket):
            return {"file_id": earlier, "already_shared": True}
        name = attachment.filename or f"file-{attachment.id}"
        self._pacer.wait(ticket.slack_channel)
        uploaded = self._guarded("files.completeUploadExternal", lambda: upload_file(
            self._client, self._store.path(attachment.sha256), channel_id=ticket.slack_channel, filename=name,
            title=name, thread_ts=ticket.slack_card_ts, on_reserved=lambda file_id: _checkpoint(session, row, file_id)))
        return {"file_id": uploaded.file_id}

    def _shared_in_thread(self, file_id: str, ticket: Ticket) -> bool:
        try:
            found = self._guarded("files.info", lambda: self._client.files_info(file=file_id).data)
        except GiveUp:
            return False  # file_not_found and the like: upload it afresh
        shares: dict[str, Any] = (found.get("file") or {}).get("shares") or {}
        posts = [post for kind in shares.values() for post in (kind.get(ticket.slack_channel) or [])]
        return any(post.get("thread_ts") == ticket.slack_card_ts for post in posts)


def _checkpoint(session: Session, row: OutboxRow, file_id: str) -> None:
    """Record Slack's file id on the row and commit it now, before the bytes go: a later rollback of the
    delivery (or a crash) keeps it. Nothing else is written in this delivery before this point, and SQLite
    allows one writer, so the delivery's own transaction carries it (a second session would wait on it)."""
    session.execute(update(OutboxRow).where(OutboxRow.id == row.id)
                    .values(result={"file_id": file_id, "stage": "uploading"})
                    .execution_options(synchronize_session=False))
    session.commit()
