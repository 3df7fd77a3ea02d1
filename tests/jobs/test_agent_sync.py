"""Agents from Slack user groups, one per line, against the recording Web API stand-in."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from bot.devtools.slack_standin import SlackStandin
from bot.slack.agent_sync import AgentSync, sync_agents
from bot.slack.client import make_sync_web_client
from bot.app.config import SlackSettings
from storage.models import Agent

GROUPS = {"1": "S0FIRSTLINE", "2": "S0SECONDLN", "3": "S0THIRDLN"}
USERS = {
    "U0ANNA0001": {"email": "Anna@Vendor.example", "real_name": "Anna Lind"},
    "U0ERIK0001": {"email": "erik@vendor.example", "real_name": "Erik Berg"},
    "U0DEVS0001": {"email": "dev@vendor.example", "real_name": "Dev Eloper"},
    "U0BOT00001": {"email": "bot@vendor.example", "real_name": "A bot", "is_bot": True},
    "U0NOMAIL01": {"email": None, "real_name": "No Mail"},
}


@pytest.fixture
def slack():
    with SlackStandin(users=USERS, usergroups={
        "S0FIRSTLINE": ["U0ANNA0001", "U0ERIK0001", "U0BOT00001", "U0NOMAIL01"],
        "S0SECONDLN": ["U0ERIK0001"],
        "S0THIRDLN": ["U0DEVS0001"],
    }) as server:
        yield server


@pytest.fixture
def sync(slack, session_factory, now):
    client = make_sync_web_client(SlackSettings(bot_token=slack.token, api_base_url=slack.base_url), backoff_s=0.01)
    return lambda groups=GROUPS: sync_agents(session_factory, client, groups, now)


def roster(session_factory) -> dict[str, tuple]:
    with session_factory() as session:
        return {a.email: (a.name, a.line, a.slack_user_id, a.active, a.source)
                for a in session.execute(select(Agent)).scalars()}


def test_group_members_become_agents_of_their_highest_line(sync, session_factory):
    report = sync()
    assert roster(session_factory) == {
        "anna@vendor.example": ("Anna Lind", 1, "U0ANNA0001", True, "slack"),
        "erik@vendor.example": ("Erik Berg", 2, "U0ERIK0001", True, "slack"),
        "dev@vendor.example": ("Dev Eloper", 3, "U0DEVS0001", True, "slack"),
    }
    assert report.counts == {"created": 3}
    assert report.skipped == ["U0NOMAIL01: no e-mail in the Slack profile (scope users:read.email?)"]
    again = sync()
    assert again.counts == {"unchanged": 3} and roster(session_factory)["anna@vendor.example"][3] is True


def test_an_agent_added_by_hand_is_matched_by_email_and_then_managed_by_the_groups(sync, slack, session_factory, now):
    with session_factory() as session:
        session.add(Agent(email="erik@vendor.example", name="Erik B.", line=1, created_at=now))
        session.add(Agent(email="solo@vendor.example", name="Solo", line=1, slack_user_id="U0SOLO0001",
                          created_at=now))
        session.commit()
    slack.add_user("U0SOLO0001", "solo@vendor.example", "Solo")
    sync()
    found = roster(session_factory)
    assert found["erik@vendor.example"] == ("Erik B.", 2, "U0ERIK0001", True, "slack")  # their name kept
    assert found["solo@vendor.example"] == ("Solo", 1, "U0SOLO0001", True, "cli")  # in no group: left alone
    slack.set_usergroup("S0SECONDLN", [])
    slack.set_usergroup("S0FIRSTLINE", ["U0ANNA0001"])
    report = sync()
    assert report.counts["deactivated"] == 1
    assert roster(session_factory)["erik@vendor.example"][3] is False  # left every line group
    slack.set_usergroup("S0SECONDLN", ["U0ERIK0001"])
    sync()
    assert roster(session_factory)["erik@vendor.example"][1:4] == (2, "U0ERIK0001", True)  # back in a group


def test_a_deactivated_or_deleted_slack_user_is_deactivated_here(sync, slack, session_factory, now):
    with session_factory() as session:  # an agent added by hand, in no group
        session.add(Agent(email="gone@vendor.example", name="Gone", line=2, slack_user_id="U0GONE0001",
                          created_at=now))
        session.commit()
    slack.add_user("U0GONE0001", "gone@vendor.example", "Gone")
    sync()
    assert roster(session_factory)["gone@vendor.example"][3] is True
    slack.deactivate_user("U0ANNA0001")  # still listed in the group, as Slack may keep them
    slack.remove_user("U0GONE0001")  # users.info: user_not_found
    report = sync()
    assert report.counts["deactivated"] == 2
    found = roster(session_factory)
    assert found["anna@vendor.example"][3] is False and found["gone@vendor.example"][3] is False
    assert found["erik@vendor.example"][3] is True
    asked = [call.params["user"] for call in slack.calls("users.info")]
    assert "U0GONE0001" in asked  # agents outside the groups are asked about too


def test_a_group_slack_cannot_answer_for_changes_nothing(sync, slack, session_factory):
    from bot.slack.agent_sync import SyncFailed

    sync()
    before = roster(session_factory)
    with pytest.raises(SyncFailed, match="no_such_subteam"):
        sync({**GROUPS, "2": "S0TYPO0000"})
    assert roster(session_factory) == before
    slack.fail_next("users.info", status=500, count=10)
    with pytest.raises(SyncFailed):
        sync()
    assert roster(session_factory) == before


def test_the_periodic_job_logs_a_failed_sync_and_carries_on(slack, session_factory, now, caplog):
    client = make_sync_web_client(SlackSettings(bot_token="xoxb-wrong", api_base_url=slack.base_url))
    job = AgentSync(session_factory, client, GROUPS, lambda: now)
    assert job() is None
    assert any("agent sync from Slack user groups failed, nothing changed" in r.message and "invalid_auth" in r.message
               for r in caplog.records)
    assert roster(session_factory) == {}


def test_agent_sync_command_and_oncall_with_a_synced_agent(slack, db_url, engine, tmp_path, session_factory):
    config = tmp_path / "supportbot.toml"
    config.write_text(f'[slack]\napi_base_url = "{slack.base_url}"\n'
                      f'line_usergroups = {{ 1 = "S0FIRSTLINE", 2 = "S0SECONDLN", 3 = "S0THIRDLN" }}\n')
    env = {"SUPPORTBOT_DATABASE_URL": db_url, "SUPPORTBOT_SLACK_BOT_TOKEN": slack.token}

    def cli(*args):
        result = CliRunner().invoke(main, ["--config", str(config), *args], env=env)
        return result.exit_code, result.output

    code, output = cli("agent", "sync")
    assert code == 0, output
    assert output == ("agents: 3 created, 0 updated, 0 deactivated, 0 unchanged; skipped U0NOMAIL01: no e-mail in "
                      "the Slack profile (scope users:read.email?)\n")
    assert [a["source"] for a in json.loads(cli("agent", "list", "--json")[1])] == ["slack"] * 3
    code, output = cli("oncall", "set", "dev@vendor.example", "--from", "2026-05-13T08:00+02:00",
                       "--to", "2026-05-13T17:00+02:00")
    assert code == 0, output
    assert cli("oncall", "now", "--at", "2026-05-13T09:00+02:00")[1].strip() == \
        "Dev Eloper (dev@vendor.example, from the shift)"
    code, output = cli("agent", "deactivate", "dev@vendor.example")
    assert "their Slack user groups decide at the next sync" in output
    config.write_text(config.read_text().replace("S0THIRDLN", "S0NOSUCH00"))
    code, output = cli("agent", "sync")
    assert code == 1 and "nothing changed" in output and "no_such_subteam" in output
