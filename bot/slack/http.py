"""POST /slack/events in HTTP mode: Slack's signature checked before Bolt sees the request.

Bolt parses the body (JSON, or a form with a JSON ``payload``) when it builds its
request object, before its own signature middleware runs: unsigned junk
(``{{{{``, bytes that are not UTF-8, 50,000 nested ``[``) and a timestamp that is
not an integer were 500s with an ERROR traceback (issue 16), and the middleware
logged a refused request's whole body (customer text, user ids) at INFO. Here,
in this order: the headers' shape and age (401 before the body is read), the
body hashed as it streams (401 when the signature does not hold; 413 over
``MAX_BODY_BYTES``), then a Slack payload — UTF-8, a JSON object (or a form whose
``payload`` is one) nested at most ``MAX_DEPTH`` deep — or 400, and only then
Bolt, whose own verification is off (bot/slack/app.py) because what it
gets is verified. Each refusal is one WARNING line with the reason, never the body.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import parse_body

from bot.web.signed_requests import Refused, Scheme, TooLarge

log = logging.getLogger("supportbot.slack")

EVENTS_PATH = "/slack/events"
SLACK = Scheme("v0", "X-Slack-Request-Timestamp", "X-Slack-Signature")
# What aiohttp's client_max_size let through before; Slack's payloads (a modal's
# whole state included) are a small fraction of it.
MAX_BODY_BYTES = 1024 * 1024
# Slack's deepest payloads (a view submission with rich-text state) nest about a dozen levels.
MAX_DEPTH = 64


class NotAPayload(Exception):
    """A signed body that cannot be a Slack payload."""


def slack_routes(app: AsyncApp, signing_secret: str, path: str = EVENTS_PATH) -> list[web.RouteDef]:
    """``POST path`` → the checks above → Bolt."""

    async def slack_events(request: web.Request) -> web.StreamResponse:
        try:
            # Slack signs with the real time, whatever clock the desk runs on.
            raw = await SLACK.read_body(request, signing_secret, time.time(), MAX_BODY_BYTES)
            bolt_request = _bolt_request(raw, request)
        except TooLarge as exc:
            return _refused(request, 413, str(exc))
        except Refused as exc:
            return _refused(request, 401, str(exc))
        except NotAPayload as exc:
            return _refused(request, 400, str(exc))
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return [web.post(path, slack_events)]


def _bolt_request(raw: bytes, request: web.Request) -> AsyncBoltRequest:
    """Bolt's request for a verified body; NotAPayload when Bolt's own parser would fail on it."""
    try:
        text = raw.decode("utf-8")
        # Bolt's parser and Bolt's reading of the content type, so that what passes here parses there.
        body = parse_body(text, request.headers.get("Content-Type", "").split(";")[0] or None)
    except UnicodeDecodeError:
        raise NotAPayload("body is not UTF-8") from None
    except (ValueError, RecursionError):  # RecursionError: JSON nested past what CPython's parser descends
        raise NotAPayload("body is not JSON or a form with a JSON payload") from None
    if not isinstance(body, dict):
        raise NotAPayload("payload is not a JSON object")
    if _depth(body) > MAX_DEPTH:
        raise NotAPayload(f"payload nested deeper than {MAX_DEPTH}")
    return AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)


def _depth(value: object) -> int:
    """How deep objects and arrays nest in ``value`` (stops counting past MAX_DEPTH); iterative, no recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _refused(request: web.Request, status: int, reason: str) -> web.Response:
    log.warning("slack request refused (%d %s) from %s", status, reason, request.remote)
    body = {"error": "invalid request"} if status == 401 else {"error": "bad request"}
    return web.json_response(body, status=status)
