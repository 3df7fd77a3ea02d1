"""Table-driven cases from tests/data/mail: real-shaped .eml files and what parse_mail makes of them.

expected.toml also holds what the loop, matching and quote-stripping modules
must decide (automatic, kind, reference, token, dmarc_fail, bounce_of, fresh_*);
those are tested with those modules, not here.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from pathlib import Path

import pytest

from bot.domain.mail.inbound import InboundMessage
from bot.domain.mail.parse import parse_mail
from bot.domain.mail.message_key import SYNTHETIC_DOMAIN

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"
CASES = tomllib.loads((DATA / "expected.toml").read_text(encoding="utf-8"))["mail"]

# Parser bugs the corpus found, as (check, file) → what goes wrong. strict=True:
# when the parser is fixed the case turns red until its line here is removed.
# (All found so far are fixed: broken boundaries, Outlook's indented <div>, the
# screenshot inside multipart/related, Gmail's Content-ID on every attachment.)
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _cases(check: str, where=lambda case: True) -> list:
    """The table's rows as params named by file, with the known-bug mark for ``check``."""
    params = []
    for case in CASES:
        if not where(case):
            continue
        reason = KNOWN_BUGS.get((check, case["file"]))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(case, id=case["file"].removesuffix(".eml"), marks=marks))
    return params


@functools.cache
def _parsed(file: str) -> InboundMessage:
    return parse_mail((DATA / file).read_bytes())


def _by_file(file: str) -> dict:
    return next(case for case in CASES if case["file"] == file)


def test_every_eml_has_exactly_one_row():
    files = [case["file"] for case in CASES]
    assert len(files) == len(set(files))
    assert set(files) == {path.name for path in DATA.glob("*.eml")}


def test_known_bugs_name_real_rows():
    assert {file for _, file in KNOWN_BUGS} <= {case["file"] for case in CASES}


@pytest.mark.parametrize("case", _cases("sender"))
def test_sender(case):
    assert _parsed(case["file"]).sender_email == case["sender"]


@pytest.mark.parametrize("case", _cases("sender_problem"))
def test_a_from_that_names_no_one_says_why(case):
    message = _parsed(case["file"])
    assert message.sender_problem == case.get("sender_problem")
    if message.sender_problem:  # nobody credited, and the defect says so, naming the header
        assert (message.sender_email, message.sender_name) == ("", "")
        assert f"{case['sender_problem']}: no sender credited" in message.defects


@pytest.mark.parametrize("case", _cases("subject"))
def test_subject(case):
    assert _parsed(case["file"]).subject == case["subject"]


@pytest.mark.parametrize("case", _cases("message_id"))
def test_message_id(case):
    key = _parsed(case["file"]).message_id
    if case["message_id"]:
        assert key == case["message_id"]
    else:  # no Message-ID in the mail: a stable synthetic key
        assert key.startswith("<sha256.") and key.endswith(f"@{SYNTHETIC_DOMAIN}>")


@pytest.mark.parametrize("case", _cases("in_reply_to"))
def test_in_reply_to(case):
    assert _parsed(case["file"]).in_reply_to == case["in_reply_to"]


@pytest.mark.parametrize("case", _cases("text"))
def test_text(case):
    text = _parsed(case["file"]).text
    missing = [probe for probe in case["text_contains"] if probe not in text]
    present = [probe for probe in case["text_excludes"] if probe in text]
    assert (missing, present) == ([], []), f"parsed text: {text!r}"


@pytest.mark.parametrize("case", _cases("attachments"))
def test_attachment_names(case):
    assert [a.filename for a in _parsed(case["file"]).attachments] == case["attachments"]


@pytest.mark.parametrize("case", _cases("inline"))
def test_inline_attachments(case):
    assert [a.filename for a in _parsed(case["file"]).attachments if a.inline] == case["inline"]


@pytest.mark.parametrize("case", _cases("bytes", where=lambda case: case["attachments"]))
def test_attachments_carry_their_bytes(case):
    for attachment in _parsed(case["file"]).attachments:
        assert attachment.content is not None and attachment.size == len(attachment.content) > 0
        assert attachment.sha256 == hashlib.sha256(attachment.content).hexdigest()


@pytest.mark.parametrize("case", _cases("defects"))
def test_defects_only_for_broken_mime(case):
    assert bool(_parsed(case["file"]).defects) == case["defects"], _parsed(case["file"]).defects


def test_attachment_only_mail_has_no_text_and_one_pdf():
    msg = _parsed("attachment_only_pdf.eml")
    assert msg.text == ""
    assert [(a.content_type, a.content[:5]) for a in msg.attachments] == [("application/pdf", b"%PDF-")]


def test_winmail_dat_keeps_its_tnef_type():
    (attachment,) = _parsed("winmail_dat_tnef.eml").attachments
    assert attachment.content_type == "application/ms-tnef"
    assert attachment.content[:4] == bytes.fromhex("789f3e22")  # TNEF signature, little-endian


def test_duplicate_pair_shares_one_dedupe_key():
    first, second = _parsed("duplicate_message_id_a.eml"), _parsed("duplicate_message_id_b.eml")
    assert first.message_id == second.message_id == _by_file("duplicate_message_id_a.eml")["message_id"]


@pytest.mark.parametrize("file", ["dsn_bounce_rfc822.eml", "dsn_bounce_rfc822_headers.eml", "bounce_mailer_daemon_qmail.eml"])
def test_bounces_have_a_null_return_path(file):
    assert _parsed(file).return_path == ""


def test_own_header_is_kept_for_loop_detection():
    assert _parsed("own_mail_x_supportbot_id.eml").header("X-Supportbot-Id") == "outbox-17"


def test_topmost_authentication_results_is_the_one_kept():
    # Our MX prepends its verdict; a forged "dmarc=pass" lower down must not win.
    verdict = _parsed("forged_reply_dmarc_fail.eml").header("Authentication-Results")
    assert "dmarc=fail" in verdict and "dmarc=pass" not in verdict
