"""`supportbot run`: the service (see bot/app/service.py for what runs and how it stops)."""

from __future__ import annotations

import asyncio
import logging

import click

from bot.app.config import ConfigError
from bot.app.runtime import Runtime
from bot.cli.context import CliContext, fail_config, fail_lines, pass_cli

log = logging.getLogger("supportbot.config")


@click.command()
@pass_cli
def run(cli: CliContext) -> None:
    """Run the service: mail intake, outbox delivery, the public and ops listeners, until SIGTERM/SIGINT.

    A configuration that `supportbot config check` refuses stops it at once with
    every error on its own line (exit 2, which the systemd unit does not restart);
    so does a listener whose address is taken (one line each, naming its settings).
    """
    runtime = prepared_runtime(cli)
    from bot.app.listen_check import enabled_listeners, unbindable

    taken = unbindable(enabled_listeners(runtime.settings))
    if taken:
        runtime.close()
        fail_lines(taken)
    from bot.app.service import Service

    # Exit 0 also when the grace period ran out (the log says so): nothing is
    # lost, stored mail is swept and claimed rows are retried at the next start.
    try:
        asyncio.run(Service(runtime).run_until_signalled())
    except ConfigError as exc:  # a component's own check; config_rules should have caught it first
        fail_config(exc)


def prepared_runtime(cli: CliContext) -> Runtime:
    """A runtime whose settings, hours file and database schema were checked; fails with one line each."""
    from bot.app.config_rules import problems

    found = problems(cli.settings)
    errors = [str(problem) for problem in found if problem.error]
    if errors:
        fail_config(ConfigError(*errors))
    for problem in found:
        log.warning("config warning: %s", problem)
    return cli.runtime()
