"""The demo's desk starts from a shipped CSV, imported as `supportbot directory import` imports it."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from bot.app.config import Settings
from bot.cli import main
from bot.demo.desk import AGENTS, DIRECTORY_CSV, seed
from storage.models import Agent, Contact


def test_the_demo_seeds_its_directory_from_the_shipped_csv(db_url, session_factory):
    reference = seed(session_factory, Settings())
    with session_factory() as session:
        contacts = {c.email: (c.organisation.number, c.role, c.language, c.authorised, c.services)
                    for c in session.execute(select(Contact)).scalars()}
        agents = [(a.email, a.line, a.slack_user_id) for a in session.execute(select(Agent).order_by(Agent.line))
                  .scalars()]
    assert contacts == {"asa@vasterby.example": ("1001", "main_admin", "sv", True, ["Lön", "Ekonomi"]),
                        "john@vasterby.example": ("1001", "it_contact", "en", True, [])}
    assert agents == [(a.email, line, a.slack_user) for line, a in enumerate(AGENTS, start=1)]
    assert reference.startswith("TC-2026-")
    # The file is a valid import for the real command too, and importing it again changes nothing.
    result = CliRunner().invoke(main, ["directory", "import", str(DIRECTORY_CSV)],
                                env={"SUPPORTBOT_DATABASE_URL": db_url})
    assert result.exit_code == 0 and "contacts: 0 created, 0 updated, 0 deauthorised, 2 unchanged" in result.output
