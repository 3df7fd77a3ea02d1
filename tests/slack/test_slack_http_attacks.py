"""POST /slack/events under attack, over a real aiohttp server: the signature first, then the parse.

Bolt parses a body before it checks the signature, so unsigned junk (``{{{{``,
bytes that are not UTF-8, 50,000 nested ``[``) and a timestamp that is not a
number were 500s with an ERROR traceback, and a refused request's whole body
(customer text, user ids) went to the log at INFO. Now: 401 for anything not
signed as Slack signs, 400 for a signed body that cannot be a Slack payload,
one WARNING line each, and no body in the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote

import pytest

from bot.slack.ids import CLAIM
from bot.slack.http import EVENTS_PATH
from bot.slack.runner import make_slack_component
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    SIGNING_SECRET,
    card_click,
    signed_body,
    slack_env,
    slack_standin,
)
from tests.slack.test_slack_http import serve
from tests.support.raw_http import foreign_digits, raw_request

CUSTOMER_TEXT = "Kundens hemliga text 4711"
TS, SIG = "X-Slack-Request-Timestamp", "X-Slack-Signature"
FORM = ("Content-Type", "application/x-www-form-urlencoded")
JSON = ("Content-Type", "application/json")


def _sign(body: bytes, ts: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature over the raw bytes (slack_sdk's helper takes text only)."""
    return "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()


# (body, fresh timestamp) → (body, headers): none of these is signed as Slack signs.
SIGNATURE_ATTACKS = {
    "unsigned": lambda body, ts: (body, []),
    "no signature": lambda body, ts: (body, [(TS, ts)]),
    "no timestamp": lambda body, ts: (body, [(SIG, _sign(body, ts))]),
    "another secret": lambda body, ts: (body, [(TS, ts), (SIG, _sign(body, ts, "not-our-secret"))]),
    "stale": lambda body, ts: (body, [(TS, str(int(ts) - 301)), (SIG, _sign(body, str(int(ts) - 301)))]),
    # Well past the 5-minute window: a +301 s stamp became valid when the request took 2 s to arrive
    # on a loaded machine (the check is |now - stamp| > 300).
    "from the future": lambda body, ts: (body, [(TS, str(int(ts) + 900)), (SIG, _sign(body, str(int(ts) + 900)))]),
    "body tampered": lambda body, ts: (body.replace(b"U0AGNES", b"U0GUEST"), [(TS, ts), (SIG, _sign(body, ts))]),
    "timestamp not an integer": lambda body, ts: (body, [(TS, ts + ".5"), (SIG, _sign(body, ts + ".5"))]),
    "timestamp in Arabic-Indic digits": lambda body, ts: (body, [(TS, foreign_digits(ts, "٠")),
                                                                 (SIG, _sign(body, ts))]),
    "signature bytes not ASCII": lambda body, ts: (body, [(TS, ts), (SIG, b"v0=" + b"\xff" * 64)]),
}

UNSIGNED_JUNK = {
    "braces": (b"{{{{", JSON),
    "not UTF-8": (b"\xff\xfe", FORM),
    "50,000 nested arrays": (b"[" * 50_000, JSON),
    "a payload that is not JSON": (b"payload=%7B%7B", FORM),
}

SIGNED_JUNK = {
    "braces": (b"{{{{", JSON),
    "not UTF-8": (b"\xff\xfe", FORM),
    "50,000 nested arrays": (b"[" * 50_000 + b"]" * 50_000, JSON),
    "an object nested 200 deep": (b'{"type": "event_callback", "event": ' + b'{"a": ' * 200 + b"1" + b"}" * 201, JSON),
    "a payload nested 200 deep": (b"payload=" + quote('{"type": "block_actions", "x": ' + "[" * 200 + "]" * 200
                                                      + "}").encode(), FORM),
    "a payload that is not JSON": (b"payload=%7B%7B", FORM),
    "a JSON array": (b"[1, 2]", JSON),
    "a payload that is a JSON string": (b"payload=%22x%22", FORM),
}


def customer_click(env) -> bytes:
    payload = card_click(CLAIM, env.add_ticket(subject=CUSTOMER_TEXT), AGNES)
    payload["message"] = {"text": CUSTOMER_TEXT}
    body, _headers = signed_body(payload)
    return body.encode()


def post_all(env, requests: list[tuple[bytes, list]], caplog) -> list[tuple[int, bytes]]:
    """Each (body, headers) POSTed to the events route on a real server; (status, body) each."""
    async def scenario():
        component = make_slack_component(env.settings, env.desk, env.sessions, env.clock)
        runner, url = await serve(component.routes())
        port = int(url.split(":")[2].split("/")[0])
        try:
            answers = [await raw_request(port, "POST", EVENTS_PATH, headers, body) for body, headers in requests]
            assert await component.inflight.wait_idle(15)
            return [(a.status, a.body) for a in answers]
        finally:
            await runner.cleanup()

    with caplog.at_level(logging.DEBUG):
        return asyncio.run(scenario())


def assert_one_warning_each(caplog, count: int) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.levelname, r.name) for r in loud] == [("WARNING", "supportbot.slack")] * count, \
        [(r.levelname, r.name, r.getMessage()[:200]) for r in loud]
    for record in caplog.records:  # no level at all carries the body
        text = record.getMessage() + (record.exc_text or "")
        assert CUSTOMER_TEXT not in text and "U0AGNES" not in text, (record.name, text[:300])


@pytest.mark.parametrize("name", list(SIGNATURE_ATTACKS))
def test_requests_not_signed_as_slack_signs_get_401_and_reach_no_listener(slack_env, slack_standin, caplog, name):
    body, headers = SIGNATURE_ATTACKS[name](customer_click(slack_env), str(int(time.time())))
    [(status, answer)] = post_all(slack_env, [(body, [FORM, *headers])], caplog)
    assert status == 401 and json.loads(answer) == {"error": "invalid request"}
    assert slack_env.events("claimed") == [] and slack_standin.calls() == []  # Bolt never ran
    assert_one_warning_each(caplog, 1)


def test_unsigned_junk_bodies_get_401_not_500(slack_env, slack_standin, caplog):
    requests = [(body, [content_type]) for body, content_type in UNSIGNED_JUNK.values()]
    requests.append((b"payload=%7B%7B", [FORM, (TS, "12.5e3"), (SIG, "v0=" + "0" * 64)]))
    answers = post_all(slack_env, requests, caplog)
    assert [status for status, _ in answers] == [401] * len(requests)
    assert_one_warning_each(caplog, len(requests))


@pytest.mark.parametrize("name", list(SIGNED_JUNK))
def test_a_signed_body_that_cannot_be_a_slack_payload_gets_400(slack_env, slack_standin, caplog, name):
    body, content_type = SIGNED_JUNK[name]
    ts = str(int(time.time()))
    [(status, _answer)] = post_all(slack_env, [(body, [content_type, (TS, ts), (SIG, _sign(body, ts))])], caplog)
    assert status == 400
    assert slack_standin.calls() == []  # Bolt never ran
    assert_one_warning_each(caplog, 1)


def test_a_genuine_click_still_works_and_logs_no_warning(slack_env, slack_standin, caplog):
    body = customer_click(slack_env)
    ts = str(int(time.time()))
    [(status, _answer)] = post_all(slack_env, [(body, [FORM, (TS, ts), (SIG, _sign(body, ts))])], caplog)
    assert status == 200 and len(slack_env.events("claimed")) == 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
