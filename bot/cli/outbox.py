"""`supportbot outbox …`: what is queued, sent or failed; retry a row."""

from __future__ import annotations

import click
from sqlalchemy import select

from bot.cli.context import CliContext, fail, pass_cli
from bot.rendering.terminal import printable
from storage.models import OutboxRow
from storage.repositories import outbox as outbox_repo


@click.group()
def outbox() -> None:
    """The outbox: everything the desk sends goes through it."""


@outbox.command(name="list")
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "failed", "all"]), default="all",
              show_default=True)
@click.option("--limit", default=50, show_default=True)
@pass_cli
def list_(cli: CliContext, state: str, limit: int) -> None:
    """List outbox rows, newest first."""
    runtime = cli.runtime()
    query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
    if state != "all":
        query = query.where(OutboxRow.state == state)
    with runtime.sessions() as session:
        rows = list(session.execute(query).scalars())
    runtime.close()
    if not rows:
        click.echo("outbox is empty")
    for row in rows:
        due = row.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
        error = f"  {row.last_error.splitlines()[0][:80]}" if row.last_error else ""
        click.echo(f"{row.id:>7}  {row.state:<8} {row.kind:<12} attempts={row.attempts:<3} due={due}  "
                   f"{printable(row.idempotency_key + error)}")


@outbox.command()
@click.argument("row_id", type=int)
@pass_cli
def retry(cli: CliContext, row_id: int) -> None:
    """Make a failed (or waiting) row due now."""
    runtime = cli.runtime()
    with runtime.sessions() as session:
        done = outbox_repo.retry_now(session, row_id, runtime.clock())
        session.commit()
    runtime.close()
    if not done:
        fail(f"no failed or pending outbox row with id {row_id}", code=1)
    click.echo(f"{row_id}: due now")
