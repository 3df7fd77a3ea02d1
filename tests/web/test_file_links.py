"""The agents' signed download links: /files/<token> serves a stored file or a raw mail, as a download only."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from bot.web.file_links import download_url, file_signer
from bot.domain.signing import signer_from_settings
from storage.models import Attachment, RawMessage, TicketMessage
from tests.handlers.conftest import OPEN
from tests.support.lifecycle_fixtures import serve, ticket_for

HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def stored(desk):
    """An HTML file a customer sent (the worst case for a download), and a message with its raw mail."""
    ticket = ticket_for(desk)
    sha = hashlib.sha256(HTML).hexdigest()
    desk.services["attachments"].put(sha, HTML)
    with desk.sessions() as session:
        raw = RawMessage(source="smtp", message_id="<raw-1@kund.se>", sha256="0" * 64, size=11, raw=b"Subject: x\r\n\r\nhej",
                         received_at=OPEN)
        session.add(raw)
        session.flush()
        message = session.query(TicketMessage).filter_by(ticket_id=ticket.id).one()
        message.raw_message_id = raw.id
        row = Attachment(message_id=message.id, filename='sida "1".html', content_type="text/html", size=len(HTML),
                         sha256=sha, stored=True, created_at=OPEN)
        session.add(row)
        session.commit()
        return row.id, message.id


def get(desk, url: str):
    result = {}

    async def scenario(client):
        response = await client.get(urlsplit(url).path)
        result.update(status=response.status, headers=dict(response.headers), body=await response.read())
    serve(desk, scenario)
    return result


def test_a_genuine_link_serves_the_file_as_a_download_that_never_renders(desk, stored):
    url, expires_at = download_url(desk.settings, "a", stored[0], desk.clock())
    assert url.startswith("https://support.example.com/files/a")
    assert expires_at - desk.clock() == timedelta(hours=24)
    answer = get(desk, url)
    assert answer["status"] == 200 and answer["body"] == HTML
    assert answer["headers"]["Content-Type"] == "application/octet-stream"
    assert answer["headers"]["X-Content-Type-Options"] == "nosniff"
    disposition = answer["headers"]["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sida _1_.html"') and "filename*=UTF-8''sida%20%221%22.html" in disposition


def test_the_raw_mail_downloads_as_eml(desk, stored):
    answer = get(desk, download_url(desk.settings, "m", stored[1], desk.clock())[0])
    assert answer["status"] == 200 and answer["body"] == b"Subject: x\r\n\r\nhej"
    assert ".eml" in answer["headers"]["Content-Disposition"]


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),          # signature
    lambda t: "a999" + t[t.index("."):],                          # another file, same signature
    lambda t: t.replace(t.split(".")[1], str(int(t.split(".")[1]) + 3600)),  # a later expiry
    lambda t: "m" + t[1:],                                        # the raw mail instead of the file
    lambda t: t + "x", lambda t: "", lambda t: "a1.2.3",
])
def test_a_tampered_token_is_refused_with_403(desk, stored, tamper):
    token = file_signer(desk.settings).sign("a", stored[0], desk.clock() + timedelta(hours=1))
    answer = get(desk, f"https://support.example.com/files/{tamper(token) or 'x'}")
    assert answer["status"] == 403 and HTML not in answer["body"]


def test_an_expired_link_is_gone_with_410(desk, stored):
    url, expires_at = download_url(desk.settings, "a", stored[0], desk.clock())
    desk.clock.at = expires_at + timedelta(seconds=1)
    answer = get(desk, url)
    assert answer["status"] == 410 and HTML not in answer["body"]


def test_a_close_or_survey_token_is_no_file_token(desk, stored):
    token = signer_from_settings(desk.settings).sign(stored[0], "close", desk.clock() + timedelta(days=1))
    assert get(desk, f"https://support.example.com/files/a{token}")["status"] == 403


def test_a_file_removed_by_retention_is_gone(desk, stored):
    url = download_url(desk.settings, "a", stored[0], desk.clock())[0]
    with desk.sessions() as session:
        session.get(Attachment, stored[0]).stored = False
        session.commit()
    assert get(desk, url)["status"] == 410
