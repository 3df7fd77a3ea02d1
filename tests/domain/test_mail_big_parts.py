"""Big attachments are decoded from the mail's bytes, not through the stdlib parser (issue 21, point 1).

The result must be exactly the stdlib parse's, for any shape of mail; only the
memory differs.
"""

from __future__ import annotations

import os
import tracemalloc
from email import policy
from email.message import EmailMessage

import pytest

import bot.domain.mail.parse as parse_module
from bot.domain.mail.big_parts import cut_big_parts
from bot.domain.mail.parse import parse_mail

MIB = 1024 * 1024


def mail_with(attachment: bytes, *, crlf: bool = True, forwarded: bool = False) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Åsa <asa@kund.se>", "support@example.com", "Loggar"
    message.set_content("Hej, loggarna bifogas.")
    message.add_attachment(attachment, maintype="application", subtype="zip", filename="loggar.zip")
    message.add_attachment(b"liten", maintype="application", subtype="octet-stream", filename="liten.bin")
    if forwarded:
        outer = EmailMessage()
        outer["From"], outer["Subject"] = "asa@kund.se", "Fwd: Loggar"
        outer.set_content("Se nedan.")
        outer.add_attachment(message)
        message = outer
    return message.as_bytes(policy=policy.SMTP if crlf else policy.default)


def stdlib_parse(raw: bytes, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(parse_module, "cut_big_parts", lambda raw: None)
        return parse_mail(raw)


@pytest.mark.parametrize("shape", ["crlf", "lf", "forwarded"])
def test_the_same_message_as_the_stdlib_parse(shape, monkeypatch):
    raw = mail_with(os.urandom(MIB), crlf=shape != "lf", forwarded=shape == "forwarded")
    assert (cut_big_parts(raw) is not None) is (shape != "forwarded")  # a forwarded mail stays whole
    assert parse_mail(raw) == stdlib_parse(raw, monkeypatch)


def test_odd_structures_are_left_to_the_parser(monkeypatch):
    data = os.urandom(400_000)
    raw = mail_with(data)
    boundary = raw.split(b'boundary="', 1)[1].split(b'"', 1)[0]
    unclosed = raw[:raw.rindex(b"--" + boundary + b"--")]  # no closing delimiter
    lookalike = raw.replace(b"\r\n--" + boundary + b"\r\nContent-Type: application/octet-stream",
                            b"\r\n--" + boundary + b"X\r\nContent-Type: application/octet-stream")
    forged = raw.replace(b"Content-Type: application/zip", b"X-Supportbot-Cut-0000000000000000: 0\r\n"
                         b"Content-Type: application/zip")
    for variant in (unclosed, lookalike, forged):
        assert parse_mail(variant) == stdlib_parse(variant, monkeypatch)
    [zipped, *_] = parse_mail(forged).attachments
    assert zipped.content == data


def test_a_big_attachment_costs_little_more_than_itself():
    size = 8 * MIB
    raw = mail_with(os.urandom(size))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        message = parse_mail(raw)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert message.attachments[0].size == size
    assert peak < 1.5 * size, f"{peak / MIB:.1f} MiB for an {size / MIB:.0f} MiB attachment"  # the stdlib parse: ~5×


def test_the_synthetic_key_is_hashed_in_chunks_as_a_whole(monkeypatch):
    import hashlib
    import random

    from bot.domain.mail import message_key as keys

    monkeypatch.setattr(keys, "_CHUNK", 7)  # chunk edges everywhere, "\r" and "\n" split among them
    rng = random.Random(3)
    for _ in range(2000):
        raw = b"Subject: x\r\n\r\n" + bytes(rng.choice(b"ab\r\n") for _ in range(rng.randrange(40)))
        whole = hashlib.sha256(raw.split(b"\r\n\r\n", 1)[1].replace(b"\r\n", b"\n").rstrip(b"\n"))
        chunked = hashlib.sha256()
        keys._hash_body(chunked, raw)
        assert chunked.digest() == whole.digest(), raw
