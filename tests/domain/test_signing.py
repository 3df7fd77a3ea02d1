"""Signed link tokens and the portal signature: genuine, tampered, other purpose, expired, malformed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from bot.app.config import Settings
from bot.web.portal.signature import PORTAL, sign
from bot.web.signed_requests import Refused
from bot.domain.signing import BadToken, Signer, closure_link, signer_from_settings, survey_links

NOW = datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc)


def test_a_token_verifies_for_its_purpose_until_it_expires():
    signer = Signer(b"k")
    token = signer.sign(42, "survey", NOW + timedelta(days=1))
    assert signer.verify(token, "survey", NOW) == 42
    with pytest.raises(BadToken, match="bad signature"):
        signer.verify(token, "close", NOW)
    with pytest.raises(BadToken, match="expired"):
        signer.verify(token, "survey", NOW + timedelta(days=1, seconds=1))
    with pytest.raises(BadToken, match="bad signature"):
        Signer(b"another key").verify(token, "survey", NOW)


@pytest.mark.parametrize("tamper", [
    lambda t: t.replace("42.", "43.", 1),                          # another ticket
    lambda t: ".".join([t.split(".")[0], str(int(t.split(".")[1]) + 86400), t.split(".")[2]]),  # longer life
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),              # the signature
    lambda t: t + ".x", lambda t: "", lambda t: "abc", lambda t: "42.x.y", lambda t: "42.1.ö",
])
def test_tampered_or_malformed_tokens_are_refused(tamper):
    signer = Signer(b"k")
    with pytest.raises(BadToken):
        signer.verify(tamper(signer.sign(42, "survey", NOW + timedelta(days=1))), "survey", NOW)


def test_links_carry_one_token_under_the_public_base_url():
    settings = Settings.model_validate({"desk": {"secret_key": "s"}, "http": {"public_base_url": "https://x.example/help"}})
    urls = survey_links(settings, 7, NOW)
    assert [url.rsplit("&r=", 1)[1] for url in urls] == ["1", "2", "3", "4", "5"]
    assert urls[0].startswith("https://x.example/help/survey?t=7.")
    token = urls[0].split("t=", 1)[1].split("&", 1)[0]
    assert signer_from_settings(settings).verify(token, "survey", NOW) == 7
    assert closure_link(settings, 7, NOW).startswith("https://x.example/help/tickets/close?t=7.")


def test_the_portal_signature():
    body = b'{"case_id": "P-1"}'
    header = sign("secret", 1773134100, body)
    assert header == "v1=" + hmac.new(b"secret", b"v1:1773134100:" + body, hashlib.sha256).hexdigest()
    assert PORTAL.fresh_headers({"X-Portal-Timestamp": "1773134100", "X-Portal-Signature": header},
                                1773134100 + 300) == ("1773134100", header[3:])
    for timestamp, signature in [(None, header), ("1773134100", None), ("-1773134100", header),
                                 ("1773134100", header.upper()), ("1773134100", header + " ")]:
        with pytest.raises(Refused, match="missing|malformed"):
            PORTAL.fresh_headers({"X-Portal-Timestamp": timestamp, "X-Portal-Signature": signature}, 1773134100)
    with pytest.raises(Refused, match="five-minute"):
        PORTAL.fresh_headers({"X-Portal-Timestamp": "1773134100", "X-Portal-Signature": header}, 1773134100 + 301)
