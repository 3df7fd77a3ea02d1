"""POST /portal/cases under attack, on a real server: 401 before the body is read, 4xx never 500, one WARNING.

What the black-box runs of issue 16 sent, kept as regression tests: signature
attacks (missing, malformed, stale headers are refused before a byte of the body
is read; a wrong signature on a well-formed request after hashing it), header
values no polite client sends (non-ASCII digits, bytes that are not UTF-8),
hostile bodies (422 with field errors), one case posted 20 times at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import pytest

from bot.app.config import PortalSettings
from bot.web.portal.signature import sign
from storage.models import Ticket
from tests.support.lifecycle_fixtures import WEBHOOK_SECRET, body_of, outbox, serve, signed_headers
from tests.web.test_portal_webhook import case
from tests.support.raw_http import foreign_digits, raw_request

CUSTOMER_TEXT = "Kundens hemliga text 4711"  # must never reach the log
TS, SIG = "X-Portal-Timestamp", "X-Portal-Signature"
JSON = ("Content-Type", "application/json")
MIB = 1024 * 1024
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")  # "²" passes str.isdigit(), and int() refuses it


# Refused on the headers alone: (headers given the body, a fresh timestamp and its genuine signature).
HEADER_ATTACKS = {
    "unsigned": lambda body, ts, sig: [],
    "timestamp only": lambda body, ts, sig: [(TS, ts)],
    "signature only": lambda body, ts, sig: [(SIG, sig)],
    "empty values": lambda body, ts, sig: [(TS, ""), (SIG, "")],
    "signature without scheme": lambda body, ts, sig: [(TS, ts), (SIG, sig[3:])],
    "another scheme": lambda body, ts, sig: [(TS, ts), (SIG, "v0=" + sig[3:])],
    "signature cut short": lambda body, ts, sig: [(TS, ts), (SIG, sig[:-1])],
    "signature too long": lambda body, ts, sig: [(TS, ts), (SIG, sig + "0")],
    "signature not hex": lambda body, ts, sig: [(TS, ts), (SIG, "v1=" + "g" * 64)],
    "signature bytes not ASCII": lambda body, ts, sig: [(TS, ts), (SIG, b"v1=" + b"\xff\xfe" * 32)],
    "signature in UTF-8 letters": lambda body, ts, sig: [(TS, ts), (SIG, "v1=" + "é" * 64)],
    "timestamp not a number": lambda body, ts, sig: [(TS, "not-a-number"), (SIG, sig)],
    "timestamp superscript digits": lambda body, ts, sig: [(TS, ts.translate(SUPERSCRIPT)), (SIG, sig)],
    "timestamp Arabic-Indic digits": lambda body, ts, sig: [(TS, foreign_digits(ts, "٠")), (SIG, sig)],
    "timestamp full-width digits": lambda body, ts, sig: [(TS, foreign_digits(ts, "０")), (SIG, sig)],
    "timestamp negative": lambda body, ts, sig: [(TS, "-" + ts), (SIG, sig)],
    "timestamp with a sign": lambda body, ts, sig: [(TS, "+" + ts), (SIG, sig)],
    "timestamp with underscores": lambda body, ts, sig: [(TS, ts[:4] + "_" + ts[4:]), (SIG, sig)],
    "timestamp 13 digits": lambda body, ts, sig: [(TS, "1" + ts.zfill(12)), (SIG, sig)],
    "stale, genuinely signed": lambda body, ts, sig: [(TS, str(int(ts) - 301)),
                                                     (SIG, sign(WEBHOOK_SECRET, int(ts) - 301, body))],
    "from the future, genuinely signed": lambda body, ts, sig: [(TS, str(int(ts) + 301)),
                                                               (SIG, sign(WEBHOOK_SECRET, int(ts) + 301, body))],
}

# Well-formed and fresh: refused once the body has been hashed.
BODY_ATTACKS = {
    "zero signature": lambda body, ts, sig: (body, [(TS, ts), (SIG, "v1=" + "0" * 64)]),
    "another secret": lambda body, ts, sig: (body, [(TS, ts), (SIG, sign("another-secret", ts, body))]),
    "body changed": lambda body, ts, sig: (body.replace(b"4711", b"4712"), [(TS, ts), (SIG, sig)]),
    "body extended": lambda body, ts, sig: (body + b" ", [(TS, ts), (SIG, sig)]),
    "signed for another second": lambda body, ts, sig: (body, [(TS, str(int(ts) - 1)), (SIG, sig)]),
    "signature upper-case": lambda body, ts, sig: (body, [(TS, ts), (SIG, "v1=" + sig[3:].upper())]),
}


def secret_case() -> bytes:
    return body_of(case(description=f"Hej! {CUSTOMER_TEXT}", case_id="P-4711"))


def attack(desk, send, caplog) -> list[tuple[int, dict, float]]:
    """Run ``send(port)`` coroutines against the lifecycle routes; (status, JSON, seconds) each."""
    results = []

    async def scenario(client):
        started = asyncio.get_running_loop().time()
        response = await send(client.server.port)
        results.append((response.status, json.loads(response.body or b"null"),
                        asyncio.get_running_loop().time() - started))
    with caplog.at_level(logging.INFO):
        serve(desk, scenario)
    return results


def assert_refused_quietly(desk, caplog, status: int) -> None:
    """Nothing stored; exactly one WARNING line, from us, without the customer's text; no ERROR."""
    with desk.sessions() as session:
        assert session.query(Ticket).count() == 0
    assert outbox(desk) == []
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.levelname, r.name) for r in loud] == [("WARNING", "supportbot.portal")], \
        [(r.levelname, r.name, r.getMessage()) for r in loud]
    assert f"refused ({status}" in loud[0].getMessage()
    assert not any(CUSTOMER_TEXT in r.getMessage() or CUSTOMER_TEXT in (r.exc_text or "") for r in caplog.records)


@pytest.mark.parametrize("name", list(HEADER_ATTACKS))
def test_missing_malformed_or_stale_headers_get_401_before_the_body_is_read(desk, caplog, name):
    body = secret_case()
    ts = str(int(desk.clock().timestamp()))
    headers = [JSON, *HEADER_ATTACKS[name](body, ts, sign(WEBHOOK_SECRET, ts, body))]
    # 60 MiB announced, a few hundred bytes sent: only an answer given before reading can arrive in time.
    [(status, answer, _)] = attack(desk, lambda port: raw_request(port, "POST", "/portal/cases", headers, body,
                                                                  content_length=60 * MIB, timeout=5), caplog)
    assert status == 401 and answer == {"error": "invalid signature"}
    assert_refused_quietly(desk, caplog, 401)


@pytest.mark.parametrize("name", list(BODY_ATTACKS))
def test_a_wrong_signature_on_a_well_formed_request_gets_401_after_hashing_the_body(desk, caplog, name):
    ts = str(int(desk.clock().timestamp()))
    original = secret_case()
    body, headers = BODY_ATTACKS[name](original, ts, sign(WEBHOOK_SECRET, ts, original))
    [(status, answer, _)] = attack(desk, lambda port: raw_request(port, "POST", "/portal/cases", [JSON, *headers],
                                                                  body), caplog)
    assert status == 401 and answer == {"error": "invalid signature"}
    assert_refused_quietly(desk, caplog, 401)


def test_a_well_formed_request_announcing_more_than_the_cap_gets_413_before_the_body_is_read(desk, caplog):
    body = secret_case()
    headers = list(signed_headers(body, desk.clock()).items())
    [(status, _answer, _)] = attack(desk, lambda port: raw_request(port, "POST", "/portal/cases", headers, body,
                                                                   content_length=60 * MIB, timeout=5), caplog)
    assert status == 413
    assert_refused_quietly(desk, caplog, 413)


def test_a_chunked_body_growing_past_the_cap_gets_413(lifecycle_desk, caplog):
    desk = lifecycle_desk(portal={"webhook_max_bytes": 64 * 1024})
    body = body_of(case(description=CUSTOMER_TEXT + " " + "x" * 200_000))
    statuses = []

    async def chunks():
        for start in range(0, len(body), 16 * 1024):
            yield body[start:start + 16 * 1024]

    async def scenario(client):  # no Content-Length: the cap is enforced while streaming
        response = await client.post("/portal/cases", data=chunks(), headers=signed_headers(body, desk.clock()))
        statuses.append(response.status)
    with caplog.at_level(logging.INFO):
        serve(desk, scenario)
    assert statuses == [413]
    assert_refused_quietly(desk, caplog, 413)


def test_the_default_cap_holds_a_case_at_the_schemas_limits_with_link_attachments():
    """2 MiB: a 1,000,000-character description (Swedish text), the longest subject, 50 links."""
    description = ("Exporten stannar vid 80 % när åäö ingår. " * 30_000)[:1_000_000]
    links = [{"name": f"skärmbild-{n}.png", "url": f"https://portal.example.com/files/{n:04d}?token={'x' * 200}"}
             for n in range(50)]
    body = body_of(case(subject="Å" * 998, description=description, attachments=links))
    assert len(body) <= PortalSettings().webhook_max_bytes == 2 * MIB


HOSTILE_BODIES = {
    "not JSON": b"{not json",
    "empty": b"",
    "not UTF-8": b"\xff\xfe{\x00}",
    "a JSON array": b"[1, 2]",
    "a JSON string": b'"case"',
    "JSON null": b"null",
    "50,000 nested arrays": b"[" * 50_000 + b"]" * 50_000,
    "a field nested 50,000 deep": b'{"description": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    "NaN for the case id": body_of(case()).replace(b'"P-1001"', b"NaN"),
    "case id a path": body_of(case(case_id="../../etc/passwd")),
    "case id with CRLF": body_of(case(case_id="P-1\r\nX-Injected: 1")),
    "case id too long": body_of(case(case_id="P" * 65)),
    "contact with a Bcc header": body_of(case(contact_email="asa@kund.se\r\nBcc: all@evil.example")),
    "contact not an address": body_of(case(contact_email="<script>@")),
    "contact 400 characters": body_of(case(contact_email="a" * 390 + "@kund.se")),
    "subject empty": body_of(case(subject="  ")),
    "subject too long": body_of(case(subject="x" * 999)),
    "subject with NUL": body_of(case(subject="Exporten\x00fungerar inte")),
    "subject with a line break": body_of(case(subject="Hej\r\nBcc: all@evil.example")),
    "description with NUL": body_of(case(description="Hej\x00då")),
    "description null": body_of(case(description=None)),
    "description a list": body_of(case(description=["Hej"])),
    "description too long": body_of(case(description="x" * 1_000_001)),
    "organisation true": body_of(case(organisation=True)),
    "organisation an object": body_of(case(organisation={"$gt": ""})),
    "attachments not a list": body_of(case(attachments="logg.txt")),
    "51 attachments": body_of(case(attachments=[{"name": "a", "url": "https://x.example/a"}] * 51)),
    "attachment with url and content": body_of(case(attachments=[{"name": "a", "url": "https://x.example/a",
                                                                  "content_base64": "aGVq"}])),
    "attachment javascript: url": body_of(case(attachments=[{"name": "a", "url": "javascript:alert(1)"}])),
    "attachment file: url": body_of(case(attachments=[{"name": "a", "url": "file:///etc/passwd"}])),
    "attachment not base64": body_of(case(attachments=[{"name": "a", "content_base64": "<script>"}])),
    "attachment name empty": body_of(case(attachments=[{"name": "", "url": "https://x.example/a"}])),
    "attachment name 1,025 characters": body_of(case(attachments=[{"name": "n" * 1025, "url": "https://x.example/a"}])),
    "unknown organisation": body_of(case(organisation="9999")),
    "contact no longer authorised": body_of(case(contact_email="former@kund.se")),
}


@pytest.mark.parametrize("name", list(HOSTILE_BODIES))
def test_hostile_bodies_get_422_with_field_errors_and_store_nothing(desk, caplog, name):
    body = HOSTILE_BODIES[name]
    headers = list(signed_headers(body, desk.clock()).items())
    [(status, answer, _)] = attack(desk, lambda port: raw_request(port, "POST", "/portal/cases", headers, body),
                                   caplog)
    assert status == 422, answer
    assert isinstance(answer["errors"], dict) and answer["errors"]
    assert all(isinstance(k, str) and isinstance(v, str) and len(v) < 200 for k, v in answer["errors"].items())
    assert_refused_quietly(desk, caplog, 422)


def test_twenty_parallel_posts_of_one_case_open_one_ticket(desk):
    body = body_of(case())
    statuses, references = [], set()

    async def scenario(client):
        async def post():
            response = await client.post("/portal/cases", data=body, headers=signed_headers(body, desk.clock()))
            statuses.append(response.status)
            references.add((await response.json())["reference"])
        await asyncio.gather(*(post() for _ in range(20)))
    serve(desk, scenario)
    assert sorted(statuses) == [200] * 19 + [201] and len(references) == 1
    with desk.sessions() as session:
        assert session.query(Ticket).count() == 1
    assert [row.payload["template"] for row in outbox(desk, "email")] == ["case_received"]


def test_a_replay_after_the_window_is_refused_even_byte_for_byte(desk):
    body = body_of(case())
    headers = signed_headers(body, desk.clock())
    desk.clock.at += timedelta(minutes=5, seconds=1)
    statuses = []

    async def scenario(client):
        statuses.append((await client.post("/portal/cases", data=body, headers=headers)).status)
    serve(desk, scenario)
    assert statuses == [401]
