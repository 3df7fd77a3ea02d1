"""Bolt apps built and dispatched against the stand-in, as the real app will run in tests and the demo."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

from slack_bolt import App
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.devtools.slack_standin import TEAM_ID
from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import build_refusal
from bot.slack.ids import CLAIM, parse_ticket_value, ticket_value

SIGNING_SECRET = "standin-signing-secret"


def signed_request(payload: dict) -> AsyncBoltRequest:
    """An interaction as Slack would POST it, with a valid signature."""
    body = urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": timestamp, "x-slack-signature": signature}
    return AsyncBoltRequest(body=body, headers=headers)


def claim_click(ticket_id: int, revision: int) -> dict:
    return {
        "type": "block_actions", "team": {"id": TEAM_ID}, "user": {"id": "U0AGENT1", "team_id": TEAM_ID},
        "api_app_id": "A0SUPPORTBOT", "token": "legacy", "trigger_id": "1.2.3",
        "channel": {"id": "C0STAFF"}, "container": {"type": "message", "channel_id": "C0STAFF", "message_ts": "1.2"},
        "actions": [{"type": "button", "action_id": CLAIM, "block_id": "ticket_actions.r1",
                     "value": ticket_value(ticket_id, Seen(revision)), "action_ts": "1.3"}],
    }


def test_sync_app_verifies_its_token_at_build(standin):
    App(client=WebClient(token=standin.token, base_url=standin.base_url), signing_secret=SIGNING_SECRET)
    (call,) = standin.calls("auth.test")
    assert call.ok


def test_async_app_dispatches_an_action_against_the_standin(standin):
    async def run():
        app = AsyncApp(client=AsyncWebClient(token=standin.token, base_url=standin.base_url),
                       signing_secret=SIGNING_SECRET)
        assert standin.calls("auth.test") == []  # unlike App, AsyncApp authorises on the first request

        @app.action(CLAIM)
        async def refuse(ack, body, client):
            await ack()
            value = parse_ticket_value(body["actions"][0]["value"])
            await client.chat_postEphemeral(channel=body["channel"]["id"], user=body["user"]["id"],
                                            **build_refusal(f"ticket {value.ticket_id} changed, try again"))

        response = await app.async_dispatch(signed_request(claim_click(42, 1)))
        calls = await standin.wait_for_async("chat.postEphemeral")
        return response, calls

    response, (ephemeral,) = asyncio.run(run())
    assert response.status == 200
    assert standin.calls("auth.test") and standin.calls("auth.test")[0].ok  # Bolt authorised against the stand-in
    assert ephemeral.params["user"] == "U0AGENT1" and "ticket 42 changed" in ephemeral.params["text"]


def test_async_app_rejects_a_bad_signature(standin):
    async def run():
        app = AsyncApp(client=AsyncWebClient(token=standin.token, base_url=standin.base_url),
                       signing_secret="another-secret")
        return await app.async_dispatch(signed_request(claim_click(42, 1)))

    assert asyncio.run(run()).status == 401
    assert standin.calls() == []
