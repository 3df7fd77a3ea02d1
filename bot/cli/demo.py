"""`supportbot demo`: the real service on embedded defaults with a scripted scenario (see bot/demo/)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from bot.cli.context import CliContext, pass_cli


@click.command()
@click.option("--once", is_flag=True, help="Run the scenario, print the summary and exit.")
@click.option("--dir", "base", default="demo", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Where the demo keeps its database, log and sent mail (emptied at every start).")
@pass_cli
def demo(cli: CliContext, once: bool, base: Path) -> None:
    """Run the desk locally with no accounts: mail in over SMTP, answers into a Maildir.

    Ignores --config and SUPPORTBOT_* settings on purpose: the demo must never
    touch a real database or mailbox.
    """
    from bot.demo.app import prepare_directory, run_demo

    # The output has emoji and Swedish letters; a terminal that cannot show
    # them gets replacement characters rather than a crash.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    prepare_directory(base)

    def say(text: str) -> None:
        click.echo(text)
        sys.stdout.flush()

    # Bold and italics as the terminal's own styles; plain text in a pipe, a file, or with NO_COLOR set.
    ansi = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    try:
        code = asyncio.run(run_demo(base.resolve(), once=once, log_format=cli.log_format, verbose=cli.verbose,
                                    say=say, ansi=ansi))
    except KeyboardInterrupt:  # Ctrl-C before the desk was up (after that, the demo stops it in order)
        say("\n⏹  Stopped before the desk was up.")
        code = 130
    raise SystemExit(code)
