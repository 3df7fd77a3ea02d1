"""Customers' files on the real service: a mail in over SMTP, its picture uploaded into the card's thread.

One `supportbot run` (SMTP ingress, public HTTP listener, the Slack desk against
the recording stand-in). A mail with a screenshot and a program renamed .pdf:
the screenshot is uploaded into the card's thread after the message's post, the
program is not — its line carries a signed link that our HTTP listener serves
as a download. The time from the SMTP 250 (the mail is committed) to the picture
being shared in the thread is printed for the note.
"""

from __future__ import annotations

import json
import time
import urllib.request
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

from bot.devtools.slack_standin import SlackStandin
from tests.proofs.harness import STAFF_CHANNEL, SUPPORT, DeskConfig, ServiceProcess, poll_until, prepare_database, \
    send_smtp
from tests.slack.files_fixtures import EXE, png
from tests.support.smtp_sink import SmtpSink


def mail_with_screenshot(sender: str, files: bool = True) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, SUPPORT, "Felmeddelande vid export" if files else "Fråga"
    mail["Message-ID"] = make_msgid(domain="kund.se")
    mail.set_content("Hej, se skärmdumpen." if files else "Hej!")
    if files:
        mail.add_attachment(png(64, 48), maintype="image", subtype="png", filename="skärmdump.png")
        mail.add_attachment(EXE, maintype="application", subtype="pdf", filename="faktura.pdf")
    return mail.as_bytes(policy=SMTP)  # CRLF: smtplib sends bytes as they are


def test_a_mailed_screenshot_is_shared_in_the_cards_thread_and_a_program_only_linked(tmp_path):
    sink = SmtpSink().start()
    standin = SlackStandin().start()
    config = DeskConfig(tmp_path / "desk", sink.port, slack_base_url=standin.base_url, slack_token=standin.token,
                        sections={"report": {"enabled": False}})  # no weekly chart among the uploads
    (tmp_path / "desk").mkdir()
    seeded = prepare_database(config.db_url, contacts=1)
    service = ServiceProcess(config).start()
    try:
        service.wait_healthy()
        # A first mail warms the parse pool up, so the figure below is a running desk's.
        send_smtp(config.ingress_port, mail_with_screenshot(seeded.contacts[0], files=False), seeded.contacts[0], [SUPPORT])
        poll_until(lambda: standin.messages(STAFF_CHANNEL), timeout=30, what="the first card")
        send_smtp(config.ingress_port, mail_with_screenshot(seeded.contacts[0]), seeded.contacts[0], [SUPPORT])
        committed = time.monotonic()
        shared = poll_until(lambda: [f for f in standin.uploaded_files() if f["completed"]] or None, timeout=30,
                            interval=0.005, what="the screenshot shared in the thread")
        latency = time.monotonic() - committed
        print(f"\nmail committed → image shared in the thread: {latency * 1000:.0f} ms")

        card = next(m for m in standin.messages(STAFF_CHANNEL) if m["ts"] == shared[0]["thread_ts"])
        assert "thread_ts" not in card and "Felmeddelande vid export" in json.dumps(card, ensure_ascii=False)
        assert [(f["filename"], f["thread_ts"], f["content"] == png(64, 48)) for f in shared] == [
            ("skärmdump.png", card["ts"], True)]
        thread = poll_until(lambda: (lambda t: t if len(t) == 3 else None)(
            [m for m in standin.messages(STAFF_CHANNEL) if m.get("thread_ts") == card["ts"]]),
            what="the message, the picture and the program's line in the thread")
        assert "Hej, se skärmdumpen" in json.dumps(thread[0], ensure_ascii=False)  # the message comes first
        line = next(m["text"] for m in thread if "faktura.pdf" in m.get("text", ""))
        assert "a Windows program" in line
        url = line.split("<", 1)[1].split("|", 1)[0]
        assert url.startswith(f"http://127.0.0.1:{config.http_port}/files/")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.read() == EXE
            assert response.headers["Content-Disposition"].startswith("attachment;")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert not any(f["content"].startswith(b"MZ") for f in standin.uploaded_files())
    finally:
        service.stop()
        standin.stop()
        sink.stop()
