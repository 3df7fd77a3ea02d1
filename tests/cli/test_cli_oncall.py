"""`supportbot oncall set|list|now`: shifts in the database over the configured weekly rota."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.oncall import oncall
from storage.models import Agent
from tests.jobs.test_sla_monitor import local

CONFIG = """
[oncall]
slack_usergroup = "S0JOUR"
escalation = ["bo@vendor.example"]
rota = [
  { who = "agnes@vendor.example", start = "monday", end = "friday 16:00" },
  { who = "bo@vendor.example", start = "friday 16:00", end = "monday" },
]
"""


@pytest.fixture
def cli(db_url, session_factory, tmp_path):
    with session_factory() as session:
        session.add_all([Agent(email="agnes@vendor.example", name="Agnes", created_at=local(2026, 1, 1, 9, 0)),
                         Agent(email="bo@vendor.example", name="Bo", created_at=local(2026, 1, 1, 9, 0))])
        session.commit()
    config = tmp_path / "supportbot.toml"
    config.write_text(CONFIG)

    def run(*args):
        return CliRunner().invoke(oncall, list(args), obj=CliContext(config_path=str(config)),
                                  env={"SUPPORTBOT_DATABASE_URL": db_url})
    return run


def test_the_weekly_rota_decides_without_shifts(cli):
    assert cli("now", "--at", "2026-05-13T10:00+02:00").output.strip() == "Agnes (agnes@vendor.example, from the rota)"
    assert cli("now", "--at", "2026-05-15T16:00+02:00").output.strip() == "Bo (bo@vendor.example, from the rota)"
    assert cli("now", "--at", "2026-05-17T23:59+02:00").output.strip() == "Bo (bo@vendor.example, from the rota)"


def test_a_shift_wins_over_the_rota_and_is_listed(cli):
    result = cli("set", "bo@vendor.example", "--from", "2026-05-13T08:00+02:00", "--to", "2026-05-13T17:00+02:00")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == \
        "shift 1: bo@vendor.example on call 2026-05-13T08:00:00+02:00 – 2026-05-13T17:00:00+02:00"
    assert cli("now", "--at", "2026-05-13T10:00+02:00").output.strip() == "Bo (bo@vendor.example, from the shift)"
    assert "from the rota" in cli("now", "--at", "2026-05-13T17:00+02:00").output
    listing = cli("list", "--all").output
    assert "2026-05-13T08:00:00+02:00 – 2026-05-13T17:00:00+02:00  bo@vendor.example" in listing
    assert "friday 16:00 – monday  bo@vendor.example" in listing and "user group: S0JOUR" in listing
    assert "shifts: none" in cli("list").output  # a shift in the past is not current


def test_set_refuses_unknown_agents_and_bad_times(cli):
    unknown = cli("set", "nobody@vendor.example", "--from", "2026-05-13T08:00+02:00", "--to", "2026-05-13T17:00+02:00")
    assert unknown.exit_code == 1 and "no active agent" in unknown.output
    naive = cli("set", "bo@vendor.example", "--from", "2026-05-13T08:00", "--to", "2026-05-13T17:00+02:00")
    assert naive.exit_code == 2 and "no UTC offset" in naive.output
    backwards = cli("set", "bo@vendor.example", "--from", "2026-05-13T18:00+02:00", "--to", "2026-05-13T17:00+02:00")
    assert backwards.exit_code == 2


def test_a_bad_rota_entry_is_named(db_url, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[oncall]\nrota = [{ who = "a@b.se", start = "mondag", end = "friday" }]\n')
    result = CliRunner().invoke(oncall, ["now"], obj=CliContext(config_path=str(config)),
                                env={"SUPPORTBOT_DATABASE_URL": db_url})
    assert result.exit_code == 2 and "oncall.rota[0].start: 'mondag' is not a date or a weekday name" in result.output
