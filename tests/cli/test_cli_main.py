"""The command line: help everywhere, version, db upgrade, and config errors."""

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.cli import main

SUPPORTBOT = Path(sys.executable).parent / "supportbot"


def _commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # loads the lazy ones (bot/cli/lazy_group.py)
        command = group.get_command(ctx, name)
        yield prefix + (name,)
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path", [(), *_commands(main)], ids=lambda path: " ".join(path) or "supportbot")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version_from_the_console_script():
    result = subprocess.run([str(SUPPORTBOT), "version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("supportbot 0.")


def test_db_upgrade_creates_then_keeps_the_schema(db_url):
    env = {"SUPPORTBOT_DATABASE_URL": db_url}
    first = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert first.exit_code == 0, first.output
    assert "(was empty)" in first.output
    again = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and "(was empty)" not in again.output
    current = CliRunner().invoke(main, ["db", "current"], env=env)
    assert current.output.startswith("database: 0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[database]\nurll = 'x'\n", "supportbot: config error: database.urll: unknown setting"),
        ("[database\n", "supportbot: config error: config file"),
        ("[smtp]\nport = 'twenty-five'\n", "supportbot: config error: smtp.port: Input should be a valid integer"),
    ],
)
def test_bad_config_stops_with_one_line(tmp_path, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = subprocess.run(
        [str(SUPPORTBOT), "--config", str(path), "db", "upgrade"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.startswith(expected)
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_unreachable_database_is_reported_not_a_traceback(tmp_path):
    env = {"SUPPORTBOT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 1
    assert "database error" in result.output and "Traceback" not in result.output


# Issue 16, point 8: a malformed database URL gave a traceback instead of the one-line config error.
BAD_URLS = {
    "no-scheme": "postgres//supportbot:hunter2@db/desk",
    "empty": "",
    "port-not-a-number": "postgresql+psycopg://supportbot:hunter2@db:fivefourthree/desk",
    "unknown-back-end": "nosuch://supportbot:hunter2@db/desk",
    "unknown-driver": "postgresql+nodriver://supportbot:hunter2@db/desk",
    "driver-not-installed": "mysql://supportbot:hunter2@db/desk",
}
DB_COMMANDS = {
    "run": ["run"], "db upgrade": ["db", "upgrade"], "db current": ["db", "current"],
    "mail import": ["mail", "import", "{dir}"], "mail inspect": ["mail", "inspect", "{eml}"],
    "mail quarantine list": ["mail", "quarantine", "list"], "mail quarantine show": ["mail", "quarantine", "show", "1"],
    "outbox list": ["outbox", "list"], "outbox retry": ["outbox", "retry", "1"],
    "contact forget": ["contact", "forget", "asa@kund.se"], "oncall list": ["oncall", "list"],
    "sla report": ["sla", "report", "--from", "2026-03-01", "--to", "2026-03-31"], "survey report": ["survey", "report"],
    "report": ["report", "--json"],
    "ticket list": ["ticket", "list"], "ticket show": ["ticket", "show", "TC-2026-00001"],
    "ticket export": ["ticket", "export", "--from", "2026-03-01", "--to", "2026-03-31"],
}


@pytest.mark.parametrize("command", DB_COMMANDS)
@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS)
def test_a_malformed_database_url_is_one_config_line_for_every_command(tmp_path, url, command):
    (tmp_path / "m.eml").write_bytes(b"From: asa@kund.se\r\nSubject: x\r\n\r\nx\r\n")
    argv = [arg.format(dir=tmp_path, eml=tmp_path / "m.eml") for arg in DB_COMMANDS[command]]
    result = subprocess.run([str(SUPPORTBOT), *argv], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "SUPPORTBOT_DATABASE_URL": url})
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith("supportbot: config error: database.url: ") and result.stderr.count("\n") == 1
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
