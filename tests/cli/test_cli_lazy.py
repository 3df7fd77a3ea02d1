"""A calendar question loads no database, Slack, web or template code (issue 21, point 3).

Each light command runs in a fresh interpreter, which then lists what it imported:
`supportbot hours status` once took 1.2–1.5 s, nearly all of it importing SQLAlchemy,
Bolt, aiohttp and pydantic.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from bot.cli import main

# What no light command may import; pydantic only where settings are read.
HEAVY = {"sqlalchemy", "alembic", "psycopg", "slack_bolt", "slack_sdk", "aiohttp", "aiosmtpd", "imapclient",
         "jinja2", "matplotlib", "inscriptis", "babel"}
LIGHT = {
    ("--help",): HEAVY | {"pydantic", "holidays"},
    ("version",): HEAVY | {"pydantic", "holidays"},
    ("hours", "--help"): HEAVY | {"pydantic", "holidays"},
    ("hours", "status", "--at", "2026-05-13T10:00:00+02:00"): HEAVY,
    ("hours", "next-opening", "--at", "2026-05-13T13:00:00+02:00"): HEAVY,
    ("hours", "sla-due", "--from", "2026-05-13T11:00:00+02:00"): HEAVY,
}

_PROBE = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[1:], prog_name="supportbot")
except SystemExit as exc:
    code = exc.code
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
sys.exit(code)
"""


def imported_by(argv: tuple[str, ...]) -> tuple[subprocess.CompletedProcess, set[str]]:
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, timeout=60)
    return result, set(json.loads(result.stderr.splitlines()[-1]))


@pytest.mark.parametrize("argv", LIGHT, ids=" ".join)
def test_a_light_command_imports_nothing_heavy(argv):
    result, modules = imported_by(argv)
    assert result.returncode == 0, result.stderr
    assert modules & LIGHT[argv] == set()


def test_a_database_command_still_loads_sqlalchemy(tmp_path):
    result, modules = imported_by(("--config", str(tmp_path / "none.toml"), "db", "current"))
    assert result.returncode == 2  # the missing config file, after the command module was loaded
    assert "sqlalchemy" in modules


def test_the_command_list_matches_the_commands():
    """The summaries `supportbot --help` shows without loading a command are those of the commands."""
    for name, lazy in main.lazy.items():
        command = main.get_command(click.Context(main), name)
        assert command is not None and command.name == name
        assert lazy.summary == command.help.split("\n\n")[0].strip(), name
        for limit in (30, 45, 70):
            assert lazy.short_help(limit) == command.get_short_help_str(limit)
