"""`supportbot outbox list|retry` and `mail preview`."""

from datetime import datetime, timezone

from click.testing import CliRunner

from bot.cli import main
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.repositories import outbox


def test_list_and_retry_a_failed_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    now = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
    with make_session_factory(engine)() as session:
        outbox.enqueue(session, "email", "t1:ack", {}, now)
        [row] = outbox.claim_due(session, now, "w")
        outbox.mark_failed(session, row.id, "w", "550 5.1.1 No such user")
        session.commit()
    engine.dispose()
    env = {"SUPPORTBOT_DATABASE_URL": url}
    listing = CliRunner().invoke(main, ["outbox", "list", "--state", "failed"], env=env)
    assert "failed" in listing.output and "t1:ack" in listing.output and "550 5.1.1" in listing.output
    assert CliRunner().invoke(main, ["outbox", "retry", str(row.id)], env=env).output.strip() == f"{row.id}: due now"
    assert "pending" in CliRunner().invoke(main, ["outbox", "list"], env=env).output
    missing = CliRunner().invoke(main, ["outbox", "retry", "999"], env=env)
    assert missing.exit_code == 1


def test_mail_preview_renders_a_template_in_english():
    result = CliRunner().invoke(main, ["mail", "preview", "out_of_hours", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("Subject:")
