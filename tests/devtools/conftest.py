"""Fixtures: a Slack stand-in running in its own thread, and clients aimed at it."""

from __future__ import annotations

import pytest

from bot.app.config import SlackSettings
from bot.devtools.slack_standin import SlackStandin

USERS = {
    "U0AGENT1": {"email": "agnes@vendor.example", "real_name": "Agnes Agent"},
    "U0BOT2": {"email": "bot@vendor.example", "real_name": "Other bot", "is_bot": True},
}


@pytest.fixture
def standin():
    """A started stand-in with a small user directory and one user group; stopped afterwards."""
    with SlackStandin(users=USERS, usergroups={"S0ONCALL": ["U0AGENT1"]}) as server:
        yield server


@pytest.fixture
def slack_settings(standin):
    """SlackSettings aimed at the stand-in with a token it accepts."""
    return SlackSettings(bot_token=standin.token, api_base_url=standin.base_url)
