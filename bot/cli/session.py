"""What the directory and roster commands share: one unit of work in a session, and their output.

``in_session(cli, work)`` opens the database, runs ``work(session, now)``, commits
what it changed, closes; ``Refused`` raised inside ends the command with its
message and exit status 1. ``put(document, as_json, lines)`` prints the JSON or
the readable lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import click
from sqlalchemy.orm import Session

from bot.cli.context import CliContext, fail
from bot.rendering.terminal import printable, safe_json

T = TypeVar("T")


class Refused(Exception):
    """The command cannot do what it was asked (nothing has that key, a conflict); the message says why."""


def in_session(cli: CliContext, work: Callable[[Session, datetime], T]) -> T:
    """``work(session, now)``, committed; Refused ends the command (exit 1)."""
    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            result = work(session, runtime.clock())
            session.commit()
            return result
    except Refused as exc:
        fail(str(exc), code=1)
    finally:
        runtime.close()


def put(document: Any, as_json: bool, lines: Callable[[Any], Iterable[str]]) -> None:
    """The document as JSON, or ``lines(document)``."""
    if as_json:
        click.echo(dump(document))
        return
    for line in lines(document):
        click.echo(line)


def dump(document: Any) -> str:
    """JSON for the terminal: UTF-8 as it is, the characters a terminal would obey escaped."""
    return safe_json(json.dumps(document, ensure_ascii=False, indent=2))


def contact_line(contact: dict) -> str:
    """One contact on one line: address, name, role, language, and whether they may open cases."""
    standing = "authorised" if contact["authorised"] else "NOT authorised"
    return (f"{printable(contact['email'])}  {printable(contact['name'] or '-')}  {contact['role']}  "
            f"{contact['language']}  {standing}")


def counts_text(counts: dict[str, int]) -> str:
    """``2 new, 1 closed`` (or ``none``)."""
    return ", ".join(f"{n} {what}" for what, n in counts.items()) or "none"
