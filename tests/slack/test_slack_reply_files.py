"""An agent's files reach the customer: the Reply modal's file_input, fetched from Slack, attached to one mail."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.app.config import FilesSettings, SmtpSettings
from bot.jobs.outbox_worker import OutboxWorker
from bot.mail.deliverer import EmailDeliverer
from bot.mail.smtp_sender import SmtpSender
from bot.rendering.email import TemplateRenderer
from bot.slack.blocks.reply_files import REPLY_FILES
from bot.slack.ids import REPLY, REPLY_TEXT
from storage.attachment_store import AttachmentStore
from storage.models import Attachment, TicketMessage
from tests.support.slack_fixtures import AGNES, SlackEnv, card_click, ephemerals, message_shortcut, submission, typed  # noqa: F401,E501
from tests.support.slack_fixtures import slack_standin  # noqa: F401 - fixture
from tests.slack.files_fixtures import PDF, png
from tests.support.smtp_sink import SmtpSink

LOG = "rad 1\r\nrad 2 med åäö\n".encode()


class FilesEnv(SlackEnv):
    """The Slack test desk with its attachment store in a temporary folder and a small reply cap."""

    def __init__(self, sessions, standin, folder, smtp_port):
        self.folder, self.smtp_port = folder, smtp_port
        super().__init__(sessions, standin)

    def settings_for(self, mode, **slack):
        settings = super().settings_for(mode, **slack)
        return settings.model_copy(update={
            "desk": settings.desk.model_copy(update={"attachments_dir": str(self.folder)}),
            "files": FilesSettings(reply_max_bytes=64 * 1024),
            "smtp": SmtpSettings(host="127.0.0.1", port=self.smtp_port, security="plain", timeout_s=5)})


@pytest.fixture
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def env(session_factory, slack_standin, tmp_path, sink):
    env = FilesEnv(session_factory, slack_standin, tmp_path / "attachments", sink.port)
    env.seed()
    return env


def attached(view, *files):
    return {REPLY_FILES: {REPLY_FILES: {"type": "file_input", "files": list(files)}}}


def submit_reply(env, standin, text, *files):
    ticket = env.add_ticket()

    async def scenario():
        harness = env.harness()
        await harness.deliver(card_click(REPLY, ticket))
        view = standin.calls("views.open")[0].response["view"]
        values = {**typed(view, REPLY_TEXT, text), **attached(view, *files)}
        return view, await harness.deliver(submission(view, values))
    view, response = asyncio.run(scenario())
    return ticket, view, response


def deliver_mail(env):
    renderer = TemplateRenderer.from_settings(env.settings)
    deliverer = EmailDeliverer(env.settings, renderer, SmtpSender(env.settings.smtp), env.clock,
                               AttachmentStore(env.folder))
    worker = OutboxWorker(env.sessions, {"email": deliverer}, env.clock, worker_id="mail", rng=random.Random(0))
    while worker.run_once():
        pass


def test_an_agent_reply_with_two_files_is_one_mail_carrying_both(env, slack_standin, sink):
    shot = slack_standin.add_user_file("skärmdump.png", png(8, 8), "image/png")
    log = slack_standin.add_user_file("export.log", LOG, "text/plain")
    ticket, view, response = submit_reply(env, slack_standin, "Här är en rättad fil.", shot, log)
    assert response.body == ""
    assert any(b.get("block_id") == REPLY_FILES and b["element"]["type"] == "file_input" for b in view["blocks"])
    downloads = slack_standin.calls("download")
    assert [c.status for c in downloads] == [200, 200]
    assert all(c.headers["Authorization"] == f"Bearer {slack_standin.token}" for c in downloads)

    (row,) = env.outbox("email")
    assert [a["filename"] for a in row.payload["attachments"]] == ["skärmdump.png", "export.log"]
    assert row.payload["audit"]["text"] == "sent to customer with skärmdump.png, export.log"
    with env.sessions() as session:  # stored like a customer's files, on the outgoing message
        outgoing = session.query(TicketMessage).filter_by(direction="outbound").one()
        assert sorted(a.filename for a in session.query(Attachment).filter_by(message_id=outgoing.id)) == [
            "export.log", "skärmdump.png"]

    deliver_mail(env)
    (received,) = sink.wait_for(1)
    mail = sink.parsed(0)
    assert mail.get_content_type() == "multipart/mixed"
    body, *files = mail.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert "Här är en rättad fil." in body.get_body(("plain",)).get_content()
    assert [(f.get_filename(), f.get_content_type(), f.get_content_disposition(), f["Content-Transfer-Encoding"])
            for f in files] == [("skärmdump.png", "image/png", "attachment", "base64"),
                                ("export.log", "application/octet-stream", "attachment", "base64")]
    assert [f.get_content() for f in files] == [png(8, 8), LOG]  # byte for byte, line endings included
    assert b"MIME-Version" not in b"".join(part.as_bytes().split(b"\n\n", 1)[0] for part in mail.walk()
                                           if part is not mail)


def test_files_too_large_for_mail_are_refused_in_the_modal_and_nothing_is_sent(env, slack_standin):
    big = slack_standin.add_user_file("dump.bin", b"x" * (70 * 1024))
    ticket, view, response = submit_reply(env, slack_standin, "Se bifogat.", big,
                                          slack_standin.add_user_file("a.pdf", PDF, "application/pdf"))
    assert '"response_action": "errors"' in response.body and REPLY_FILES in response.body
    assert "at most 64 KB" in response.body and "nothing was sent" in response.body
    assert env.outbox("email") == [] and slack_standin.calls("download") == []
    assert env.ticket(ticket.id).status == "new"


def test_a_file_larger_than_slack_said_is_not_sent_half(env, slack_standin):
    liar = slack_standin.add_user_file("dump.bin", b"x" * (70 * 1024))
    liar["size"] = 10  # the cap holds against the bytes received, not only the size announced
    ticket, view, response = submit_reply(env, slack_standin, "Se bifogat.", liar)
    assert response.body == ""
    assert env.outbox("email") == [] and env.ticket(ticket.id).status == "new"
    (notice,) = ephemerals(slack_standin, AGNES)
    assert "could not be fetched" in notice["text"]
    assert [p.name for p in env.folder.rglob("*") if p.is_file()] == []  # the partial download is gone


def test_a_file_url_off_slack_is_never_sent_the_token(env, slack_standin):
    stray = {"id": "F0STRAY0001", "name": "x.png", "size": 10, "url_private_download": "http://198.51.100.7/x.png"}
    ticket, view, response = submit_reply(env, slack_standin, "Se bifogat.", stray)
    assert env.outbox("email") == [] and slack_standin.calls("download") == []


def test_files_on_the_agents_own_thread_message_go_with_the_shortcuts_reply(env, slack_standin, sink):
    ticket = env.add_ticket()
    shot = slack_standin.add_user_file("skärmdump.png", png(8, 8), "image/png")
    message = {"type": "message", "user": AGNES, "ts": "1700005000.000100", "thread_ts": ticket.slack_card_ts,
               "text": "Så här ser det ut nu.", "files": [shot]}

    async def scenario():
        harness = env.harness()
        await harness.deliver(message_shortcut(message))
        view = slack_standin.calls("views.open")[0].response["view"]
        await harness.deliver(submission(view, typed(view, REPLY_TEXT, "Så här ser det ut nu.")))
        return view

    view = asyncio.run(scenario())
    assert any("skärmdump.png" in e["text"] for b in view["blocks"] if b["type"] == "context" for e in b["elements"])
    assert len(slack_standin.calls("files.info")) == 1 and [c.status for c in slack_standin.calls("download")] == [200]
    (row,) = env.outbox("email")
    assert [a["filename"] for a in row.payload["attachments"]] == ["skärmdump.png"]
    deliver_mail(env)
    sink.wait_for(1)
    (part,) = [p for p in sink.parsed(0).iter_attachments()]
    assert part.get_filename() == "skärmdump.png" and part.get_content() == png(8, 8)
