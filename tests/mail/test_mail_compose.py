"""compose_message and its helpers: headers, threading, subject tag, MIME structure."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.mail.compose import (
    MAX_REFERENCES,
    SUPPORTBOT_ID_HEADER,
    compose_message,
    make_message_id,
    reply_address,
    subject_with_reference,
    thread_references,
)
from bot.rendering.email import RenderedMessage

SENT_AT = datetime(2026, 5, 18, 7, 30, tzinfo=timezone.utc)
RENDERED = RenderedMessage(
    subject="Vi har tagit emot ditt ärende: Skrivaren skriver ut blanka sidor",
    text="Hej Åsa!\n\nTack för ditt ärende.\n",
    html="<p>Hej Åsa!</p>\n<p>Tack för ditt ärende.</p>\n",
    language="sv",
)
LONG_OUTLOOK_ID = "<AM0PR07MB1234567890ABCDEF1234567890ABCDEF@AM0PR07MB1234.eurprd07.prod.outlook.com>"


def _compose(**kwargs):
    values = dict(
        from_address="support@example.com",
        from_name="Kundsupport",
        to=["asa@example.org"],
        message_id="<sb-1@example.com>",
        date=SENT_AT,
        outbox_key="outbox-7",
    )
    return compose_message(RENDERED, **(values | kwargs))


def _round_trip(msg):
    return email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)


def test_make_message_id_is_unique_and_well_formed():
    ids = {make_message_id("example.com") for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"<sb-[0-9a-f]{32}@example\.com>", i) for i in ids)


@pytest.mark.parametrize("domain", ["", "exa mple.com", "example.com>", "a@b"])
def test_make_message_id_rejects_bad_domains(domain):
    with pytest.raises(ValueError):
        make_message_id(domain)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Skrivaren krånglar", "[TC-2026-00042] Skrivaren krånglar"),
        ("SV: [TC-2026-00042] Skrivaren krånglar", "SV: [TC-2026-00042] Skrivaren krånglar"),
        ("Skrivaren krånglar [tc-2026-00042]", "Skrivaren krånglar [tc-2026-00042]"),
        ("  två\n rader\t", "[TC-2026-00042] två rader"),
        ("", "[TC-2026-00042]"),
    ],
)
def test_reference_is_added_to_the_subject_once(subject, expected):
    assert subject_with_reference(subject, "TC-2026-00042") == expected


def test_subject_without_reference_is_only_collapsed():
    assert subject_with_reference("a\r\nb", None) == "a b"


def test_thread_references_keep_first_and_latest():
    thread = [f"<m{i}@example.com>" for i in range(30)]
    kept = thread_references(thread)
    assert len(kept) == MAX_REFERENCES
    assert kept[0] == "<m0@example.com>"
    assert kept[1:] == thread[-(MAX_REFERENCES - 1):]


def test_thread_references_drop_invalid_and_duplicate_ids():
    thread = ["<a@x>", "not-an-id", "<a@x>", " <b@x> ", "<c d@x>", "", "<ö@x>"]
    assert thread_references(thread) == ["<a@x>", "<b@x>"]


def test_headers_of_an_automatic_reply_in_a_thread():
    thread = ["<portal-1@portal.example.com>", "<sb-0@example.com>", "<customer-2@example.org>"]
    msg = _round_trip(
        _compose(thread=thread, reference="TC-2026-00042", reply_token="Qz7_x-1", automatic=True, to=[("Åsa Öberg", "asa@example.org")])
    )
    assert msg["From"].addresses[0].display_name == "Kundsupport"
    assert msg["To"].addresses[0].display_name == "Åsa Öberg"
    assert str(msg["Reply-To"]) == "Kundsupport <support+Qz7_x-1@example.com>"
    assert msg["Subject"] == "[TC-2026-00042] Vi har tagit emot ditt ärende: Skrivaren skriver ut blanka sidor"
    assert msg["Message-ID"] == "<sb-1@example.com>"
    assert msg["In-Reply-To"] == "<customer-2@example.org>"
    assert msg["References"].split() == thread
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg[SUPPORTBOT_ID_HEADER] == "outbox-7"
    assert msg["Content-Language"] == "sv"
    assert email.utils.parsedate_to_datetime(msg["Date"]) == SENT_AT


def test_agent_reply_has_no_auto_headers():
    msg = _round_trip(_compose(automatic=False))
    assert msg["Auto-Submitted"] is None
    assert msg["X-Auto-Response-Suppress"] is None
    assert msg[SUPPORTBOT_ID_HEADER] == "outbox-7"


def test_auto_generated_can_be_chosen_for_messages_that_answer_nothing():
    msg = _round_trip(_compose(automatic=True, auto_submitted="auto-generated"))
    assert msg["Auto-Submitted"] == "auto-generated"


def test_own_message_id_is_never_its_own_reference():
    msg = _round_trip(_compose(thread=["<a@x>", "<sb-1@example.com>"]))
    assert msg["References"] == "<a@x>"
    assert msg["In-Reply-To"] == "<a@x>"


def test_long_message_ids_stay_verbatim_in_threading_headers():
    # The stdlib would RFC 2047-encode a msg-id longer than a line; clients then lose the thread.
    raw = _compose(thread=[LONG_OUTLOOK_ID, "<b@example.org>"]).as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    threading = re.search(r"^In-Reply-To:.*?(?=^X-Supportbot-Id:)", head, re.S | re.M).group(0)
    assert LONG_OUTLOOK_ID in threading and "=?" not in threading
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["References"].split() == [LONG_OUTLOOK_ID, "<b@example.org>"]


def test_non_ascii_headers_use_rfc2047_and_the_message_is_7bit():
    raw = _compose(from_name="Kundtjänst Åre", reference="TC-2026-00042").as_bytes()
    assert all(byte < 128 for byte in raw)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in head.split(b"From:")[1].split(b"\r\n")[0]
    assert b"=?utf-8?" in head.split(b"Subject:")[1]
    assert _round_trip(_compose(from_name="Kundtjänst Åre"))["From"].addresses[0].display_name == "Kundtjänst Åre"


def test_body_is_multipart_alternative_text_then_html():
    msg = _round_trip(_compose())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(p["MIME-Version"] is None for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == RENDERED.text
    assert "<p>Hej Åsa!</p>" in parts[1].get_content()


def test_reply_address_uses_the_base_local_part():
    assert reply_address("support@example.com", "abc") == "support+abc@example.com"
    assert reply_address("support+old@example.com", "abc") == "support+abc@example.com"


@pytest.mark.parametrize("token", ["", "a b", "a\r\nBcc: x@y", "å", "a@b", "x" * 65])
def test_reply_token_is_validated(token):
    with pytest.raises(ValueError):
        reply_address("support@example.com", token)


def test_reply_to_base_can_differ_from_the_sender():
    msg = _round_trip(_compose(reply_token="t1", support_address="help@desk.example.com"))
    assert msg["Reply-To"].addresses[0].addr_spec == "help+t1@desk.example.com"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"message_id": "sb-1@example.com"},
        {"outbox_key": "two words"},
        {"outbox_key": ""},
        {"date": datetime(2026, 5, 18, 7, 30)},
        {"to": []},
    ],
)
def test_bad_envelope_facts_are_refused(kwargs):
    with pytest.raises(ValueError):
        _compose(**kwargs)


def test_header_injection_through_a_name_is_refused():
    with pytest.raises(ValueError):
        _compose(to=[("Evil\r\nBcc: all@example.org", "asa@example.org")]).as_bytes()


def test_date_keeps_the_given_instant():
    local = SENT_AT.astimezone(timezone(timedelta(hours=2)))
    msg = _round_trip(_compose(date=local))
    assert email.utils.parsedate_to_datetime(msg["Date"]) == SENT_AT
