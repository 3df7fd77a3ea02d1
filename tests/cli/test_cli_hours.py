"""`supportbot hours …`: exact output formats, error exits, and the settings and deviations behind them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

DEVIATIONS = Path(__file__).resolve().parents[1] / "data" / "hours" / "deviations.toml"
SUPPORTBOT = Path(sys.executable).with_name("supportbot")


@pytest.fixture
def run(tmp_path):
    """Run `supportbot --config <file> hours …` with the given config text (default: empty)."""

    def invoke(*args: str, config: str = ""):
        path = tmp_path / "supportbot.toml"
        path.write_text(config, encoding="utf-8")
        return CliRunner().invoke(main, ["--config", str(path), "hours", *args])

    return invoke


@pytest.mark.parametrize(
    ("args", "output"),
    [
        (("status", "--at", "2026-05-13T10:00:00+02:00"), "open until 2026-05-13T12:00:00+02:00\n"),
        (("status", "--at", "2026-05-13T13:00:00+02:00"), "closed until 2026-05-18T09:00:00+02:00\n"),
        (("status", "--at", "2026-05-13T11:00Z"), "closed until 2026-05-18T09:00:00+02:00\n"),
        (("status", "--at", "2026-03-28T23:00:00+01:00"), "closed until 2026-03-30T09:00:00+02:00\n"),
        (("sla-due", "--from", "2026-05-13T11:00:00+02:00"), "2026-05-18T10:00:00+02:00\n"),
        (("sla-due", "--from", "2026-05-12T10:00:00.750+02:00", "--minutes", "30"), "2026-05-12T10:30:00+02:00\n"),
        (("sla-due", "--from", "2026-10-23T13:00:00Z", "--minutes", "120"), "2026-10-26T10:00:00+01:00\n"),
        (("next-opening", "--at", "2026-05-13T13:00:00+02:00"), "2026-05-18T09:00:00+02:00\n"),
        (("next-opening", "--at", "2026-05-13T13:00:00+02:00", "--text"), "måndag 18 maj kl. 09:00\n"),
        (("next-opening", "--at", "2026-05-17T20:00:00+02:00", "--text", "--lang", "en"), "tomorrow at 09:00\n"),
    ],
)
def test_output_formats(run, args, output):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, output, "")


def test_status_without_at_uses_the_clock(run):
    result = run("status")
    assert result.exit_code == 0
    assert result.stdout.startswith(("open until ", "closed until "))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "--at", "2026-05-13T10:00"), "supportbot: --at: '2026-05-13T10:00' has no UTC offset; add one (+02:00) or Z\n"),
        (("status", "--at", "2026-05-13"), "supportbot: --at: '2026-05-13' has no UTC offset; add one (+02:00) or Z\n"),
        (("status", "--at", "tomorrow"), "supportbot: --at: 'tomorrow' is not an ISO 8601 instant (e.g. 2026-05-13T10:00:00+02:00)\n"),
        (("sla-due", "--from", "2026-13-01T10:00Z"), "supportbot: --from: '2026-13-01T10:00Z' is not an ISO 8601 instant (e.g. 2026-05-13T10:00:00+02:00)\n"),
        (("next-opening", "--at", "10:00+02:00"), "supportbot: --at: '10:00+02:00' is not an ISO 8601 instant (e.g. 2026-05-13T10:00:00+02:00)\n"),
    ],
)
def test_a_naive_or_malformed_instant_exits_2(run, args, message):
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_negative_minutes_are_a_usage_error(run):
    result = run("sla-due", "--from", "2026-05-13T10:00Z", "--minutes", "-5")
    assert result.exit_code == 2 and "--minutes" in result.stderr


def test_the_default_budget_comes_from_the_sla_settings(run):
    result = run("sla-due", "--from", "2026-05-12T10:00:00+02:00", config="[sla]\nfirst_response_minutes = 60\n")
    assert result.stdout == "2026-05-12T11:00:00+02:00\n"


def test_hours_settings_are_honoured(run):
    config = '[hours]\nopen = "08:00:00"\nclose = "17:00:00"\nlunch_start = "11:30:00"\nlunch_end = "12:30:00"\n'
    assert run("status", "--at", "2026-03-10T11:40:00+01:00", config=config).stdout == "closed until 2026-03-10T12:30:00+01:00\n"
    assert run("status", "--at", "2026-03-10T16:30:00+01:00", config=config).stdout == "open until 2026-03-10T17:00:00+01:00\n"


def test_calendar_in_swedish_and_english(run):
    swedish = run("calendar", "2026")
    english = run("calendar", "2026", "--lang", "en")
    assert swedish.exit_code == english.exit_code == 0
    assert len(swedish.stdout.splitlines()) == len(english.stdout.splitlines()) == 27
    assert "2026-05-15  fredag     stängt                    klämdag efter Kristi himmelsfärdsdag\n" in swedish.stdout
    assert "2026-06-19  Friday     closed                    Midsummer Eve\n" in english.stdout


def test_deviations_from_the_configured_file(run):
    config = f'[hours]\ndeviations_file = "{DEVIATIONS}"\n'
    assert run("status", "--at", "2026-09-17T17:00:00+02:00", config=config).stdout == "closed until 2026-09-21T09:00:00+02:00\n"
    assert run("status", "--at", "2026-05-15T10:00:00+02:00", config=config).stdout == "open until 2026-05-15T12:00:00+02:00\n"
    calendar = run("calendar", "2026", config=config).stdout
    assert "2026-09-18  fredag     stängt                    avvikelse: Stängt för personalkonferens\n" in calendar
    assert "2026-12-28  måndag     10.00–14.00               avvikelse: Begränsad bemanning\n" in calendar


def test_a_bad_deviations_file_exits_2_with_line_and_reason(run, tmp_path):
    bad = tmp_path / "hours.toml"
    bad.write_text('[[deviation]]\ndate = 2026-09-18\nstart = "13:00"\nend = "11:00"\n', encoding="utf-8")
    result = run("status", "--at", "2026-05-13T10:00Z", config=f'[hours]\ndeviations_file = "{bad}"\n')
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"supportbot: config error: {bad} line 4: end 11:00 is before start 13:00\n"


def test_a_missing_deviations_file_exits_2(run, tmp_path):
    result = run("calendar", "2026", config=f'[hours]\ndeviations_file = "{tmp_path / "gone.toml"}"\n')
    assert result.exit_code == 2
    assert result.stderr == f"supportbot: config error: {tmp_path / 'gone.toml'}: deviations file not found (hours.deviations_file)\n"


def test_inconsistent_hours_settings_exit_2(run):
    result = run("status", "--at", "2026-05-13T10:00Z", config='[hours]\nclose = "08:00:00"\n')
    assert (result.exit_code, result.stderr) == (2, "supportbot: config error: hours.close: 08:00 is not after hours.open 09:00\n")


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("status", "next-opening", "sla-due", "calendar"):
        assert command in result.stdout


def test_the_installed_script(tmp_path):
    # One end-to-end run of the console script, as operators and other tools call it.
    config = tmp_path / "empty.toml"
    config.write_text("", encoding="utf-8")
    ok = subprocess.run([SUPPORTBOT, "--config", config, "hours", "status", "--at", "2026-05-13T10:00:00+02:00"],
                        capture_output=True, text=True, timeout=60)
    naive = subprocess.run([SUPPORTBOT, "--config", config, "hours", "sla-due", "--from", "2026-05-13T10:00"],
                           capture_output=True, text=True, timeout=60)
    assert (ok.returncode, ok.stdout) == (0, "open until 2026-05-13T12:00:00+02:00\n")
    assert (naive.returncode, naive.stdout) == (2, "")
    assert naive.stderr.startswith("supportbot: --from: ")
