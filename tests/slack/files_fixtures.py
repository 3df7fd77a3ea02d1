"""A Slack desk that delivers customers' files into card threads, and mails that carry files."""

from __future__ import annotations

import io
import random
import struct
import types
import zipfile
import zlib
from datetime import timezone
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from bot.devtools.slack_standin import SlackStandin
from bot.jobs.outbox_worker import OutboxWorker
from bot.slack.client import make_sync_web_client
from bot.jobs.outbox import by_kind
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.deliverers.thread_files import ThreadFileDeliverer
from tests.handlers.conftest import OPEN, make_desk  # noqa: F401  (fixture)

STAFF = "C0STAFF0001"
SECRET_KEY = "test-desk-secret-key"
MB = 1024 * 1024


class Clock:
    def __init__(self, at):
        self.at = at.astimezone(timezone.utc)

    def __call__(self):
        return self.at


def png(width: int = 2, height: int = 2, seed: int = 0) -> bytes:
    """A real PNG (Slack shows it as an image): ``seed`` varies the pixels, so the content."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([seed % 256, y % 256, 0]) * width for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A PE header as a Windows linker writes it: "MZ", the DOS stub, then the rest.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program cannot be run in DOS mode."


def zip_of(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def mail_with_files(files: list[tuple[str, str, bytes]], *, inline: tuple[tuple[str, bytes], ...] = (),
                    sender="Åsa Andersson <asa@kund.se>", subject="Skärmdump av felet") -> bytes:
    """A mail from ``sender`` with attachments ``(name, mime type, content)`` and inline images ``(cid, png)``."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@example.com", subject
    message["Message-ID"], message["Date"] = make_msgid(domain="kund.se"), "Tue, 10 Mar 2026 10:00:00 +0100"
    message.set_content("Hej!\n\nHär är filerna.\n")
    if inline:
        message.add_alternative("<p>Hej!</p>" + "".join(f'<img src="cid:{cid}">' for cid, _ in inline), subtype="html")
        html = message.get_payload()[1]
        for cid, content in inline:
            html.add_related(content, "image", "png", cid=f"<{cid}>", disposition="inline", filename="logo.png")
    for name, mime, content in files:
        main, _, sub = mime.partition("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def big_file(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.fixture
def standin():
    with SlackStandin(users={"U0AGNES01": {"email": "agnes@vendor.example", "real_name": "Agnes"}}) as server:
        yield server


@pytest.fixture
def files_desk(make_desk, standin, session_factory):
    """The pipeline, the card and thread deliverers and the file deliverer against the stand-in."""
    def make(**sections):
        sections.setdefault("slack", {}).update(enabled=True, bot_token=standin.token, api_base_url=standin.base_url,
                                                staff_channel=STAFF, min_post_interval_s=0)
        sections.setdefault("desk", {}).update(secret_key=SECRET_KEY, attachment_max_bytes=40 * MB)
        sections.setdefault("portal", {}).setdefault("new_case_policy", "ticket")
        sections.setdefault("http", {}).setdefault("public_base_url", "https://support.example.com/")
        desk = make_desk(**sections)
        desk.clock = Clock(OPEN)
        client = make_sync_web_client(desk.settings.slack, wait_in_client=False)
        calendar, store = desk.services["calendar"], desk.services["attachments"]
        deliverers = by_kind(SlackDeliverer(desk.settings, client, calendar, desk.clock),
                             ThreadFileDeliverer(desk.settings, client, calendar, desk.clock, store))
        desk.worker = OutboxWorker(session_factory, deliverers, desk.clock, worker_id="slack", rng=random.Random(0))
        desk.runtime = types.SimpleNamespace(settings=desk.settings, sessions=session_factory, clock=desk.clock,
                                             services=desk.services)
        return desk
    return make


def deliver(desk) -> None:
    while desk.worker.run_once():
        pass
