"""`supportbot mail fetch --once`, `mail import`, and the quarantine commands."""

from __future__ import annotations

import mailbox

from click.testing import CliRunner
from sqlalchemy import update

from bot.intake import pipeline
from bot.cli import main
from storage import migrate
from storage.db import make_engine
from storage.models import RawMessage
from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401


def raw_mail(number: int, subject: str = "Fråga") -> bytes:
    return (
        f"From: asa@kund.se\r\nTo: support@example.com\r\nSubject: {subject} {number}\r\n"
        f"Message-ID: <cli{number}@kund.se>\r\n\r\nHej {number}\r\n"
    ).encode()


def env_for(tmp_path, **extra):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return {"SUPPORTBOT_DATABASE_URL": url, **extra}


def test_fetch_once_processes_the_mailbox_and_exits(tmp_path, imap_server):
    for number in range(3):
        imap_server.append("INBOX", raw_mail(number))
    env = env_for(
        tmp_path, SUPPORTBOT_IMAP_HOST=imap_server.host, SUPPORTBOT_IMAP_PORT=str(imap_server.port),
        SUPPORTBOT_IMAP_SECURITY="plain", SUPPORTBOT_IMAP_USERNAME=imap_server.username,
        SUPPORTBOT_IMAP_PASSWORD=imap_server.password,
    )
    first = CliRunner().invoke(main, ["mail", "fetch", "--once"], env=env)
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "fetched 3 new mail(s); 3 processed"
    again = CliRunner().invoke(main, ["mail", "fetch", "--once"], env=env)
    assert again.output.strip() == "fetched 0 new mail(s); nothing to do"


def test_fetch_once_leaves_a_mailbox_a_running_service_polls_and_releases_its_own_lease(tmp_path, imap_server):
    from sqlalchemy import select

    from bot.mail.mailbox_lease import MailboxLease
    from storage.db import make_session_factory
    from storage.models import Lease

    imap_server.append("INBOX", raw_mail(1))
    env = env_for(
        tmp_path, SUPPORTBOT_IMAP_HOST=imap_server.host, SUPPORTBOT_IMAP_PORT=str(imap_server.port),
        SUPPORTBOT_IMAP_SECURITY="plain", SUPPORTBOT_IMAP_USERNAME=imap_server.username,
        SUPPORTBOT_IMAP_PASSWORD=imap_server.password,
    )
    engine = make_engine(env["SUPPORTBOT_DATABASE_URL"])
    sessions = make_session_factory(engine)
    mailbox_name = f"{imap_server.username}@{imap_server.host}/INBOX"
    service = MailboxLease(sessions, mailbox_name, 30, holder="replica-a")
    assert service.acquire()
    busy = CliRunner().invoke(main, ["mail", "fetch", "--once"], env=env)
    assert busy.exit_code == 0, busy.output
    assert busy.output.strip() == f"nothing fetched: {mailbox_name} is polled by replica-a (its lease, see `imap.lease_s`)"
    service.release()
    done = CliRunner().invoke(main, ["mail", "fetch", "--once"], env=env)
    assert done.output.strip() == "fetched 1 new mail(s); 1 processed"
    with sessions() as session:
        assert session.execute(select(Lease)).scalars().all() == []  # released on the way out
    engine.dispose()


def test_fetch_once_reports_an_unreachable_server(tmp_path):
    env = env_for(tmp_path, SUPPORTBOT_IMAP_PORT="1", SUPPORTBOT_IMAP_SECURITY="plain", SUPPORTBOT_IMAP_USERNAME="x")
    result = CliRunner().invoke(main, ["mail", "fetch", "--once"], env=env)
    assert result.exit_code == 1 and "ConnectionRefusedError" in result.output


def test_import_mbox_and_eml_folder_is_idempotent(tmp_path):
    env = env_for(tmp_path)
    box = mailbox.mbox(tmp_path / "backlog.mbox")
    for number in range(5):
        box.add(raw_mail(number))
    box.flush()
    eml_dir = tmp_path / "eml"
    eml_dir.mkdir()
    for number in range(3, 7):
        (eml_dir / f"{number}.eml").write_bytes(raw_mail(number))
    first = CliRunner().invoke(main, ["mail", "import", str(tmp_path / "backlog.mbox")], env=env)
    assert first.exit_code == 0, first.output
    assert "read 5 mail(s), 5 new, 0 already known; 5 processed" in first.output
    second = CliRunner().invoke(main, ["mail", "import", str(eml_dir)], env=env)
    assert "read 4 mail(s), 2 new, 2 already known; 2 processed" in second.output


def test_quarantine_list_show_retry_and_drop(tmp_path, monkeypatch):
    env = env_for(tmp_path)

    class Explode:
        NAME = "explode"
        armed = True

        @classmethod
        def handle(cls, ctx):
            if cls.armed and "poison" in ctx.message.subject:
                raise RuntimeError("cannot handle this")

    monkeypatch.setitem(pipeline.HANDLERS, "explode", Explode)
    monkeypatch.setitem(pipeline.PIPELINES, "email", pipeline.PIPELINES["email"] + ("explode",))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.eml").write_bytes(raw_mail(1, "poison"))
    (tmp_path / "in" / "b.eml").write_bytes(raw_mail(2, "poison"))
    imported = CliRunner().invoke(main, ["mail", "import", str(tmp_path / "in")], env=env)
    assert "2 quarantined" in imported.output

    listing = CliRunner().invoke(main, ["mail", "quarantine", "list"], env=env)
    assert listing.output.count("RuntimeError: cannot handle this") == 2
    shown = CliRunner().invoke(main, ["mail", "quarantine", "show", "1", "--raw"], env=env)
    assert "Traceback" in shown.output and "Subject: poison 1" in shown.output

    Explode.armed = False  # "the fix is deployed"
    engine = make_engine(env["SUPPORTBOT_DATABASE_URL"])
    with engine.begin() as connection:  # retention dropped mail 2's bytes (bot/jobs/retention.py)
        connection.execute(update(RawMessage).where(RawMessage.id == 2).values(raw=None))
    engine.dispose()
    purged = CliRunner().invoke(main, ["mail", "quarantine", "retry", "2"], env=env)
    assert purged.exit_code == 1 and "no bytes left (purged by retention)" in purged.output
    retried = CliRunner().invoke(main, ["mail", "quarantine", "retry", "1"], env=env)
    assert retried.output.startswith("1: processed")
    dropped = CliRunner().invoke(main, ["mail", "quarantine", "drop", "2"], env=env)
    assert dropped.output.strip() == "2: dropped"
    assert CliRunner().invoke(main, ["mail", "quarantine", "list"], env=env).output.strip() == "quarantine is empty"
    missing = CliRunner().invoke(main, ["mail", "quarantine", "show", "2"], env=env)
    assert missing.exit_code == 1


def test_quarantine_show_prints_control_characters_escaped(tmp_path):
    # A From that names no one is quarantined; --raw prints the mail, whose bytes may carry ESC sequences.
    env = env_for(tmp_path)
    (tmp_path / "eml").mkdir()
    (tmp_path / "eml" / "a.eml").write_bytes(
        b"From: evil\r\nTo: support@example.com\r\nSubject: \x1b]2;pwned\x07hej\r\nMessage-ID: <q1@x.example>\r\n"
        b"\r\nText \x1b[2J here\r\n")
    assert "1 quarantined" in CliRunner().invoke(main, ["mail", "import", str(tmp_path / "eml")], env=env).output
    listing = CliRunner().invoke(main, ["mail", "quarantine", "list"], env=env).output
    shown = CliRunner().invoke(main, ["mail", "quarantine", "show", "1", "--raw"], env=env).output
    assert "no sender credited: From: malformed address list" in listing
    for output in (listing, shown):
        assert not {"\x1b", "\x07", "\x9b", "\r"} & set(output), output
    assert r"Subject: \x1b]2;pwned\x07hej" in shown and r"Text \x1b[2J here" in shown
