"""HTTP mode over a real aiohttp server: signatures, the mounted route, the component; config errors."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from aiohttp import web

from bot.app.config import ConfigError
from bot.slack.ids import CLAIM
from bot.slack.app import build_app, signing_secret
from bot.slack.http import EVENTS_PATH, slack_routes
from bot.slack.runner import make_slack_component
from bot.slack.listeners.inflight import InFlight
from tests.support.slack_fixtures import (  # noqa: F401 - fixtures
    AGNES,
    card_click,
    signed_body,
    slack_env,
    slack_standin,
)


async def serve(routes):
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}{EVENTS_PATH}"


def test_signed_requests_are_served_and_bad_or_stale_signatures_get_401(slack_env, slack_standin):
    ticket = slack_env.add_ticket()
    payload = card_click(CLAIM, ticket, AGNES)

    async def scenario():
        component = make_slack_component(slack_env.settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        runner, url = await serve(component.routes())
        statuses = {}
        try:
            async with aiohttp.ClientSession() as http:
                async def post(name, body, headers):
                    async with http.post(url, data=body.encode(), headers=headers) as response:
                        statuses[name] = response.status

                body, headers = signed_body(payload, secret="not-our-secret")
                await post("bad signature", body, headers)
                body, headers = signed_body(payload, timestamp=int(time.time()) - 6 * 60)
                await post("stale timestamp", body, headers)
                body, headers = signed_body(payload)
                await post("no signature", body, {"content-type": headers["content-type"]})
                await post("tampered body", body.replace("U0AGNES", "U0GUEST"), headers)
                await post("good", body, headers)
            assert await component.inflight.wait_idle(15)
        finally:
            await runner.cleanup()
        return statuses

    statuses = asyncio.run(scenario())
    assert statuses == {"bad signature": 401, "stale timestamp": 401, "no signature": 401, "tampered body": 401,
                        "good": 200}
    assert [e.agent_id for e in slack_env.events("claimed")] == [slack_env.agent("agnes@vendor.example").id]
    assert [c.method for c in slack_standin.calls()] == ["auth.test"]  # 401s never reach a listener


def test_url_verification_is_answered(slack_env, slack_standin):
    async def scenario():
        component = make_slack_component(slack_env.settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        runner, url = await serve(component.routes())
        try:
            body, headers = signed_body({"type": "url_verification", "token": "x", "challenge": "abc123"})
            async with aiohttp.ClientSession() as http, http.post(url, data=body.encode(), headers=headers) as response:
                return response.status, await response.text()
        finally:
            await runner.cleanup()

    status, text = asyncio.run(scenario())
    assert status == 200 and json.loads(text) == {"challenge": "abc123"}


def test_the_component_runs_in_http_mode_and_drains_on_stop(slack_env, slack_standin):
    async def scenario():
        component = make_slack_component(slack_env.settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        task = asyncio.ensure_future(component.run())
        while not component.is_up():
            await asyncio.sleep(0)  # a yield to the loop, not a timed wait
        component.stop()
        await asyncio.wait_for(task, 15)
        return component.is_up(), component.name, len(component.routes())

    assert asyncio.run(scenario()) == (False, "slack", 1)


def test_settings_that_cannot_work_fail_at_start_naming_the_setting(slack_env):
    no_secret = slack_env.settings_for("http", signing_secret="")
    with pytest.raises(ConfigError, match=r"^slack\.signing_secret: required in HTTP mode"):
        build_app(no_secret, slack_env.desk, slack_env.sessions, slack_env.clock)
    no_token = slack_env.settings_for("socket", bot_token="")
    with pytest.raises(ConfigError, match=r"^slack\.bot_token"):
        build_app(no_token, slack_env.desk, slack_env.sessions, slack_env.clock)
    socket = slack_env.settings_for("socket")
    with pytest.raises(ConfigError, match=r"^slack\.app_token: required in Socket Mode"):
        make_slack_component(socket, slack_env.desk, slack_env.sessions, slack_env.clock)


def test_socket_mode_serves_no_http_route_and_signs_with_nothing_guessable(slack_env, slack_standin):
    settings = slack_env.settings_for("socket", app_token="xapp-1-test")

    async def scenario():
        component = make_slack_component(settings, slack_env.desk, slack_env.sessions, slack_env.clock)
        assert component.routes() == []
        # Even mounted by mistake, the route would refuse everything: the app's secret is random.
        app = build_app(settings, slack_env.desk, slack_env.sessions, slack_env.clock, inflight=InFlight())
        runner, url = await serve(slack_routes(app, signing_secret(settings.slack)))
        try:
            body, headers = signed_body(card_click(CLAIM, slack_env.add_ticket()))
            async with aiohttp.ClientSession() as http, http.post(url, data=body.encode(), headers=headers) as response:
                return response.status
        finally:
            await runner.cleanup()

    assert asyncio.run(scenario()) == 401
