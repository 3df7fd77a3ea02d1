"""Slack user → agent: by e-mail, cached for a while, never a bot."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.listeners.agents import AgentDirectory
from storage.models import Agent
from tests.support.slack_fixtures import AGNES, GUEST, OPEN, slack_env, slack_standin  # noqa: F401 - fixtures


class Ticking:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_answers_are_cached_for_the_ttl_then_asked_again(slack_env, slack_standin):
    ticking = Ticking()
    directory = AgentDirectory(slack_env.desk, ttl_s=60, monotonic=ticking)

    async def scenario():
        client = AsyncWebClient(token=slack_standin.token, base_url=slack_standin.base_url)
        answers = [await directory.resolve(client, GUEST)]
        with slack_env.sessions() as session:  # the operator makes the guest an agent
            session.add(Agent(email="guest@kund.se", name="Gäst", line=1, created_at=OPEN))
            session.commit()
        answers.append(await directory.resolve(client, GUEST))
        ticking.now = 61
        answers.append(await directory.resolve(client, GUEST))
        answers.append(await directory.resolve(client, AGNES))  # linked already: no users.info
        return answers

    before, cached, after, agnes = asyncio.run(scenario())
    assert before is None and cached is None
    assert after.email == "guest@kund.se" and after.slack_user_id == GUEST
    assert slack_env.agent("guest@kund.se").slack_user_id == GUEST
    assert agnes.display_name == "Agnes Agent"
    assert [c.params["user"] for c in slack_standin.calls("users.info")] == [GUEST, GUEST]


def test_a_bot_or_an_unknown_user_is_never_an_agent(slack_env, slack_standin):
    slack_standin.add_user("U0BOTTY", email="agnes@vendor.example", real_name="Impostor bot", is_bot=True)
    directory = AgentDirectory(slack_env.desk)

    async def scenario():
        client = AsyncWebClient(token=slack_standin.token, base_url=slack_standin.base_url)
        return await directory.resolve(client, "U0BOTTY"), await directory.resolve(client, "U0NOBODY")

    assert asyncio.run(scenario()) == (None, None)
    assert slack_env.agent("agnes@vendor.example").slack_user_id == AGNES  # not relinked to the bot
