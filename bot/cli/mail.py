"""`supportbot mail …`: fetch, import, and the quarantine."""

from __future__ import annotations

import mailbox
import sys
from collections import Counter
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, fail, pass_cli
from bot.rendering.terminal import printable
from bot.mail.raw_store import FetchedMail, store_batch
from bot.app.runtime import Runtime
from storage.models import RawMessage
from storage.repositories import raw_messages

IMPORT_BATCH = 200


@click.group()
def mail() -> None:
    """Mail intake: fetch, import, inspect, quarantine."""


def _process_all(runtime: Runtime) -> Counter:
    from bot.intake.parse_pool import ParsePool

    pool = ParsePool(runtime.settings.desk.attachment_max_bytes)
    try:
        return runtime.intake.process_pending(pool=pool)
    finally:
        pool.close()


def _summary(counts: Counter) -> str:
    return ", ".join(f"{counts[key]} {key}" for key in ("processed", "discarded", "quarantined") if counts[key]) or "nothing to do"


@mail.command()
@click.option("--once", is_flag=True, required=True, help="Process what is in the mailbox now and exit.")
@pass_cli
def fetch(cli: CliContext, once: bool) -> None:
    """Fetch new mail from the IMAP folder, process it, exit (for cron and benchmarks).

    Skips, saying so, when a running service holds the mailbox's lease.
    """
    from bot.mail.backlog import MailboxBusy
    from bot.mail.imap_poller import CONNECTION_ERRORS

    runtime = cli.runtime()
    settings = cli.settings.imap
    if not settings.host or not settings.username:
        fail("config error: imap.host and imap.username must be set to fetch mail")
    try:
        new, counts = _fetch_and_process(runtime)
    except MailboxBusy as busy:
        # A running service polls this mailbox; it handles the mail. Not an error for cron.
        click.echo(f"nothing fetched: {busy} (its lease, see `imap.lease_s`)")
        return
    except CONNECTION_ERRORS as exc:
        fail(f"imap {settings.host}:{settings.port}: {type(exc).__name__}: {exc}", code=1)
    except SQLAlchemyError as exc:
        fail(f"database error: {type(exc).__name__}", code=1)
    finally:
        runtime.close()
    click.echo(f"fetched {new} new mail(s); {_summary(counts)}")


def _fetch_and_process(runtime: Runtime) -> tuple[int, Counter]:
    from bot.mail.backlog import fetch_and_process
    from bot.intake.parse_pool import ParsePool

    pool = ParsePool(runtime.settings.desk.attachment_max_bytes)
    try:
        return fetch_and_process(runtime, pool)
    finally:
        pool.close()


def _read_source(path: Path):
    """Yield raw messages from an mbox file, a Maildir, or a folder of .eml files."""
    if path.is_file():
        box = mailbox.mbox(path, create=False)
        for key in box.iterkeys():
            yield box.get_bytes(key)
    elif (path / "cur").is_dir() and (path / "new").is_dir():
        box = mailbox.Maildir(path, create=False)
        for key in box.iterkeys():
            yield box.get_bytes(key)
    else:
        for file in sorted(path.glob("*.eml")):
            yield file.read_bytes()


@mail.command(name="import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@pass_cli
def import_(cli: CliContext, source: Path) -> None:
    """Import a backlog from FILE.mbox, a Maildir, or a DIR of .eml files, then process it."""
    runtime = cli.runtime()
    stored = 0
    try:
        messages = list(_read_source(source))
        with click.progressbar(length=len(messages), label="storing", file=sys.stderr) as bar:
            for start in range(0, len(messages), IMPORT_BATCH):
                batch = [FetchedMail(raw=raw) for raw in messages[start:start + IMPORT_BATCH]]
                stored += len(store_batch(runtime.sessions, batch, "import", runtime.clock()))
                bar.update(len(batch))
        counts = _process_all(runtime)
    except SQLAlchemyError as exc:
        fail(f"database error: {type(exc).__name__}", code=1)
    finally:
        runtime.close()
    click.echo(f"read {len(messages)} mail(s), {stored} new, {len(messages) - stored} already known; {_summary(counts)}")


@mail.group()
def quarantine() -> None:
    """Mail set aside because processing failed or it looked forged."""


@quarantine.command(name="list")
@click.option("--limit", default=50, show_default=True)
@pass_cli
def quarantine_list(cli: CliContext, limit: int) -> None:
    """List quarantined mail, newest first."""
    runtime = cli.runtime()
    with runtime.sessions() as session:
        rows = raw_messages.by_state(session, "quarantined", limit)
    runtime.close()
    if not rows:
        click.echo("quarantine is empty")
    for row in rows:
        received = row.received_at.strftime("%Y-%m-%d %H:%M")
        click.echo(f"{row.id:>7}  {received}  {printable(row.message_id[:60]):<60}  {printable(row.reason or '')}")


def _quarantined(session, raw_id: int) -> RawMessage:
    row = session.get(RawMessage, raw_id)
    if row is None or row.state != "quarantined":
        fail(f"no quarantined mail with id {raw_id}", code=1)
    return row


@quarantine.command(name="show")
@click.argument("raw_id", type=int)
@click.option("--raw", "show_raw", is_flag=True, help="Print the raw message too.")
@pass_cli
def quarantine_show(cli: CliContext, raw_id: int, show_raw: bool) -> None:
    """Show why a mail was quarantined."""
    runtime = cli.runtime()
    with runtime.sessions() as session:
        row = _quarantined(session, raw_id)
        click.echo(f"id: {row.id}\nmessage-id: {printable(row.message_id)}\nsource: {row.source}\nsize: {row.size}")
        click.echo(f"received: {row.received_at.isoformat()}\nattempts: {row.attempts}\n"
                   f"reason: {printable(row.reason or '')}")
        if row.traceback:
            click.echo(f"\n{printable(row.traceback, lines=True)}")
        if show_raw and row.raw is not None:
            click.echo(printable(row.raw.decode("utf-8", "replace"), lines=True))
    runtime.close()


@quarantine.command(name="retry")
@click.argument("raw_id", type=int)
@pass_cli
def quarantine_retry(cli: CliContext, raw_id: int) -> None:
    """Process a quarantined mail again (after a fix)."""
    runtime = cli.runtime()
    with runtime.sessions() as session:
        if _quarantined(session, raw_id).raw is None:
            fail(f"quarantined mail {raw_id} has no bytes left (purged by retention); nothing to retry", code=1)
        raw_messages.requeue(session, raw_id)
        session.commit()
    outcome = runtime.intake.process(raw_id)
    runtime.close()
    click.echo(f"{raw_id}: {outcome.disposition}: {printable(outcome.reason)}")


@quarantine.command(name="drop")
@click.argument("raw_id", type=int)
@pass_cli
def quarantine_drop(cli: CliContext, raw_id: int) -> None:
    """Give up on a quarantined mail; the record stays."""
    runtime = cli.runtime()
    with runtime.sessions() as session:
        _quarantined(session, raw_id)
        raw_messages.drop(session, raw_id, runtime.clock())
        session.commit()
    runtime.close()
    click.echo(f"{raw_id}: dropped")
