"""The parser's header cache changes speed only, never a result."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

import pytest

from bot.domain.mail import parse as mail_parse
from bot.domain.mail.parse import PARSE_POLICY, parse_mail

CORPUS = sorted((Path(__file__).parent.parent / "data" / "mail").glob("*.eml"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_warm_cache_gives_the_same_message_as_a_cold_one(path):
    raw = path.read_bytes()
    mail_parse._PARSED_HEADERS.clear()
    cold = parse_mail(raw)
    warm = parse_mail(raw)
    assert warm == cold


@pytest.mark.parametrize("path", CORPUS, ids=lambda path: path.stem)
def test_headers_read_like_policy_default(path):
    raw = path.read_bytes()
    ours, theirs = message_from_bytes(raw, policy=PARSE_POLICY), message_from_bytes(raw, policy=policy.default)
    assert _values(ours) == _values(theirs)
    for ours_part, theirs_part in zip(ours.walk(), theirs.walk(), strict=True):
        assert ours_part.get_content_type() == theirs_part.get_content_type()
        assert ours_part.get_params() == theirs_part.get_params()
        assert ours_part.get_filename() == theirs_part.get_filename()
        assert ours_part.get_content_disposition() == theirs_part.get_content_disposition()


def _values(message) -> list[str]:
    """Each header as text; one the stdlib refuses (CR LF in an encoded display name) as its error's name."""
    values = []
    for name in message.keys():
        try:
            values.append(str(message.get_all(name)))
        except ValueError as exc:
            values.append(type(exc).__name__)
    return values


def test_the_cache_stays_bounded_and_skips_huge_values():
    mail_parse._PARSED_HEADERS.clear()
    huge = "x" * 5000
    for number in range(3000):
        PARSE_POLICY.header_fetch_parse("X-Test", f"value {number}")
    PARSE_POLICY.header_fetch_parse("Subject", huge)
    assert len(mail_parse._PARSED_HEADERS) <= 1024
    assert all(len(value) <= 2048 for _name, value in mail_parse._PARSED_HEADERS)
