"""The corpus's expected decisions: loops, references, fresh text, tokens, DMARC, bounces."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.domain.mail.addresses import reply_token
from bot.domain.mail.bounces import parse_bounce
from bot.domain.mail.dmarc import dmarc_failed
from bot.domain.mail.loops import automatic_reason, is_own_mail
from bot.domain.mail.parse import parse_mail
from bot.domain.mail.quotes import fresh_text
from bot.domain.mail.subjects import find_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "mail"
CASES = tomllib.loads((DATA / "expected.toml").read_text(encoding="utf-8"))["mail"]
PARAMS = [pytest.param(case, id=case["file"].removesuffix(".eml")) for case in CASES]


def parsed(case):
    return parse_mail((DATA / case["file"]).read_bytes())


def test_the_corpus_is_there():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", PARAMS)
def test_kind_and_automatic(case):
    message = parsed(case)
    reason = automatic_reason(message)
    assert is_own_mail(message) == (case["kind"] == "own")
    assert (reason is not None) == case["automatic"], reason
    if case["kind"] == "bounce":
        assert reason is not None


@pytest.mark.parametrize("case", PARAMS)
def test_reference_in_subject(case):
    assert find_reference(parsed(case).subject) == (case["reference"] or None)


@pytest.mark.parametrize("case", [p for p in PARAMS if p.values[0].get("fresh_contains") or p.values[0].get("fresh_excludes")])
def test_fresh_text_drops_quoted_history(case):
    fresh = fresh_text(parsed(case).text)
    for probe in case.get("fresh_contains", []):
        assert probe in fresh
    for probe in case.get("fresh_excludes", []):
        assert probe not in fresh


@pytest.mark.parametrize("case", PARAMS)
def test_reply_token_and_dmarc(case):
    message = parsed(case)
    token = reply_token([*message.to, *message.cc, *message.envelope_to], ["support@example.com"])
    assert token == (case["token"] or None)
    assert dmarc_failed(message) == case["dmarc_fail"]


@pytest.mark.parametrize("case", [p for p in PARAMS if p.values[0]["bounce_of"]])
def test_bounce_names_the_mail_it_returns(case):
    bounce = parse_bounce(parsed(case))
    assert bounce is not None and bounce.original_message_id == case["bounce_of"]
