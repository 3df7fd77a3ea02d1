"""Socket Mode on the wire: the component connects over a WebSocket, acks an envelope, the listener acts.

A tiny local "Slack" serves just what Socket Mode needs: ``apps.connections.open``
(answering with a ws:// URL), ``auth.test`` (Bolt asks once), and the WebSocket
that says hello, sends one interactive envelope and records the ack.
"""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType, web

from bot.slack.ids import CLAIM
from bot.slack.runner import make_slack_component
from tests.support.slack_fixtures import AGNES, card_click, slack_env, slack_standin  # noqa: F401 - fixtures


class SocketSlack:
    """The WebSocket side of Slack for one test."""

    def __init__(self, envelope: dict):
        self.envelope = envelope
        self.acks: asyncio.Queue = asyncio.Queue()
        self.app_tokens: list[str] = []
        self.url = ""

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.add_routes([web.post("/api/apps.connections.open", self.connections_open),
                        web.post("/api/auth.test", self.auth_test), web.get("/link", self.link)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return runner

    async def connections_open(self, request: web.Request) -> web.Response:
        self.app_tokens.append(request.headers.get("Authorization", ""))
        return web.json_response({"ok": True, "url": self.url.replace("http", "ws") + "/link"})

    async def auth_test(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "team_id": "T0STANDIN", "user_id": "U0SUPPORTBOT", "bot_id": "B0SB"})

    async def link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        await ws.send_str(json.dumps(self.envelope))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await self.acks.put(json.loads(message.data))
        return ws


def test_an_envelope_over_the_socket_is_acked_and_handled(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    envelope = {"envelope_id": "env-1", "type": "interactive", "accepts_response_payload": False,
                "payload": card_click(CLAIM, ticket, AGNES)}
    slack = SocketSlack(envelope)

    async def scenario():
        runner = await slack.start()
        settings = slack_env.settings_for("socket", app_token="xapp-1-A0-test", api_base_url=f"{slack.url}/api/")
        component = make_slack_component(settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        task = asyncio.ensure_future(component.run())
        try:
            ack = await asyncio.wait_for(slack.acks.get(), 15)
            assert await component.inflight.wait_idle(15)
            up = component.is_up()
        finally:
            component.stop()
            await asyncio.wait_for(task, 15)
            await runner.cleanup()
        return ack, up

    ack, up = asyncio.run(scenario())
    assert ack == {"envelope_id": "env-1"} and up
    assert slack.app_tokens == ["Bearer xapp-1-A0-test"]  # the app-level token opens the socket
    assert [e.agent_id for e in slack_env.events("claimed")] == [slack_env.agent("agnes@vendor.example").id]


def test_while_slack_refuses_the_app_token_the_component_is_down_and_still_stops(slack_env, slack_standin):
    settings = slack_env.settings_for("socket", app_token="xapp-1-wrong")

    async def scenario():
        component = make_slack_component(settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        task = asyncio.ensure_future(component.run())
        await slack_standin.wait_for_async("apps.connections.open")  # refused: invalid_auth; slack_sdk retries
        up = component.is_up()
        component.stop()
        await asyncio.wait_for(task, 15)
        return up

    assert asyncio.run(scenario()) is False
