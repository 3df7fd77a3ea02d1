"""`supportbot run`: the service (see bot/app/service.py for what runs and how it stops)."""

from __future__ import annotations

import asyncio

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, fail, pass_cli
from bot.app.runtime import Runtime


@click.command()
@pass_cli
def run(cli: CliContext) -> None:
    """Run the service: mail intake, outbox delivery, the public and ops listeners, until SIGTERM/SIGINT."""
    runtime = prepared_runtime(cli)
    from bot.app.service import Service

    # Exit 0 also when the grace period ran out (the log says so): nothing is
    # lost, stored mail is swept and claimed rows are retried at the next start.
    asyncio.run(Service(runtime).run_until_signalled())


def prepared_runtime(cli: CliContext) -> Runtime:
    """A runtime whose settings, hours file and database schema were checked; fails with one line."""
    from bot.domain.hours.day_rules import HoursError
    from storage import migrate

    runtime = Runtime(cli.settings)
    try:
        runtime.services  # noqa: B018 - build now so a bad hours setting stops here, named
    except HoursError as exc:
        fail(f"config error: {exc}")
    try:
        current, head = migrate.current_revision(runtime.engine), migrate.head_revision()
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        fail(f"database error: {type(cause).__name__}: {str(cause).splitlines()[0]}", code=1)
    if current != head:
        fail(f"database schema is at {current or 'empty'}, this version needs {head}: run `supportbot db upgrade`",
             code=1)
    return runtime
