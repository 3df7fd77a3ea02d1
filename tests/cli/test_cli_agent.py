"""`supportbot agent add|list|set|deactivate`: the roster from the command line, and on call with it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main


@pytest.fixture
def cli(db_url, engine):
    def run(*args: str):
        result = CliRunner().invoke(main, list(args), env={"SUPPORTBOT_DATABASE_URL": db_url})
        return result.exit_code, result.output
    return run


def test_add_list_set_and_deactivate(cli):
    assert cli("agent", "add", "Anna@Vendor.example", "--name", "Anna Lind", "--line", "1", "--slack-id",
               "U0ANNA0001") == (0, "created anna@vendor.example: active agent, line 1\n")
    assert cli("agent", "add", "erik@vendor.example", "--name", "Erik Berg", "--line", "2")[0] == 0
    assert cli("agent", "list")[1].splitlines() == ["line 1  anna@vendor.example  Anna Lind  U0ANNA0001",
                                                    "line 2  erik@vendor.example  Erik Berg  -"]
    assert cli("agent", "set", "ANNA@vendor.example", "--line", "3") == (0, "anna@vendor.example is on line 3\n")
    assert cli("agent", "set", "anna@vendor.example", "--line", "3")[1] == "anna@vendor.example is on line 3 already\n"
    assert cli("agent", "deactivate", "erik@vendor.example") == (0, "erik@vendor.example deactivated\n")
    assert cli("agent", "deactivate", "erik@vendor.example")[1] == "erik@vendor.example was already inactive\n"
    listed = json.loads(cli("agent", "list", "--json")[1])
    assert [(a["email"], a["line"], a["active"], a["source"]) for a in listed] == [
        ("anna@vendor.example", 3, True, "cli"), ("erik@vendor.example", 2, False, "cli")]
    # Adding an inactive agent again brings them back.
    assert cli("agent", "add", "erik@vendor.example", "--name", "Erik Berg", "--line", "2")[1].startswith("updated")
    assert json.loads(cli("agent", "list", "--json")[1])[1]["active"] is True


def test_refusals(cli):
    cli("agent", "add", "anna@vendor.example", "--name", "Anna", "--line", "1", "--slack-id", "U0ANNA0001")
    code, output = cli("agent", "add", "bo@vendor.example", "--name", "Bo", "--line", "1", "--slack-id", "U0ANNA0001")
    assert code == 1 and "Slack user U0ANNA0001 is linked to the agent anna@vendor.example" in output
    code, output = cli("agent", "add", "bo@vendor.example", "--name", "Bo", "--line", "1", "--slack-id", "@bo")
    assert code == 2 and "--slack-id '@bo' is not a Slack user id" in output
    assert cli("agent", "add", "bo@vendor.example", "--name", "Bo", "--line", "4")[0] == 2
    assert cli("agent", "add", "bo", "--name", "Bo", "--line", "1")[0] == 2
    assert cli("agent", "set", "nobody@vendor.example", "--line", "2")[0] == 1
    assert cli("agent", "deactivate", "nobody@vendor.example")[0] == 1


def test_an_added_agent_can_be_put_on_call_and_an_inactive_one_cannot(cli):
    cli("agent", "add", "anna@vendor.example", "--name", "Anna Lind", "--line", "1")
    code, output = cli("oncall", "set", "anna@vendor.example", "--from", "2026-05-13T08:00+02:00",
                       "--to", "2026-05-13T17:00+02:00")
    assert code == 0 and "anna@vendor.example on call" in output
    assert cli("oncall", "now", "--at", "2026-05-13T10:00+02:00")[1].strip() == \
        "Anna Lind (anna@vendor.example, from the shift)"
    cli("agent", "deactivate", "anna@vendor.example")
    code, output = cli("oncall", "set", "anna@vendor.example", "--from", "2026-05-14T08:00+02:00",
                       "--to", "2026-05-14T17:00+02:00")
    assert code == 1 and "no active agent" in output


def test_sync_without_line_groups_says_so(cli):
    code, output = cli("agent", "sync")
    assert code == 2 and "slack.line_usergroups is not set" in output
