"""Every command that needs the database checks it first (issue 18, point 3): one line, exit 2, no stray file.

Connecting to SQLite creates the file; a command run from the wrong directory, or with a
typo in the path, left an empty `supportbot.db` behind and then failed on a missing table.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from storage import migrate
from tests.cli.test_cli_main import DB_COMMANDS, SUPPORTBOT

CHECKED = {name: argv for name, argv in DB_COMMANDS.items() if name not in ("db upgrade", "mail inspect")}


def supportbot(tmp_path: Path, database: Path, argv: list[str]) -> subprocess.CompletedProcess:
    (tmp_path / "m.eml").write_bytes(b"From: asa@kund.se\r\nSubject: x\r\n\r\nx\r\n")
    argv = [arg.format(dir=tmp_path, eml=tmp_path / "m.eml") for arg in argv]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SUPPORTBOT_DATABASE_URL": f"sqlite:///{database}",
           "SUPPORTBOT_DESK_SECRET_KEY": "a-key-for-run-0123456789", "SUPPORTBOT_SMTP_INGRESS_ENABLED": "true"}
    return subprocess.run([str(SUPPORTBOT), *argv], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)


@pytest.mark.parametrize("command", CHECKED)
def test_a_missing_database_file_is_named_and_not_created(tmp_path, command):
    database = tmp_path / "typo" / "supportbot.db"
    (tmp_path / "typo").mkdir()
    result = supportbot(tmp_path, database, CHECKED[command])
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == \
        f"supportbot: database {database} does not exist: run `supportbot db upgrade`"
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == (2 if command == "run" else 1)
    assert list((tmp_path / "typo").iterdir()) == []  # no stray database, no -wal or -shm


@pytest.mark.parametrize("command", [name for name in CHECKED if name != "db current"])  # it says "empty"
def test_a_database_without_the_schema_says_to_upgrade(tmp_path, command):
    database = tmp_path / "empty.db"
    database.touch()
    result = supportbot(tmp_path, database, CHECKED[command])
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (f"supportbot: database schema is at empty, this version needs "
                                             f"{migrate.head_revision()}: run `supportbot db upgrade`")


def test_mail_inspect_works_without_a_database_and_leaves_none(tmp_path):
    database = tmp_path / "supportbot.db"
    result = supportbot(tmp_path, database, ["mail", "inspect", "{eml}"])
    assert result.returncode == 0, result.stderr
    assert f"reason: database {database} does not exist: run `supportbot db upgrade`; ticket matching skipped" \
        in result.stdout
    assert not database.exists()


def test_commands_reach_the_database_only_through_the_checked_runtime():
    # A command building its own Runtime would skip the checks above; the demo builds its own database.
    cli = Path(__file__).resolve().parents[2] / "bot" / "cli"
    unchecked = [path.name for path in sorted(cli.glob("*.py"))
                 if "Runtime(" in path.read_text(encoding="utf-8") and path.name not in ("context.py", "demo.py")]
    assert unchecked == [], "use CliContext.runtime() (or runtime_unchecked() when the database is optional)"
