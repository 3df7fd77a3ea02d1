"""`supportbot contact …`: a person's data (`forget` for erasure requests)."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, database_error, fail, pass_cli


@click.group()
def contact() -> None:
    """Contacts and their personal data."""


@contact.command()
@click.argument("email")
@click.option("--dry-run", is_flag=True, help="Show what would be removed; change nothing.")
@click.option("--also", multiple=True, metavar="TEXT",
              help="Another string that names them (a phone number, another spelling); repeatable.")
@pass_cli
def forget(cli: CliContext, email: str, dry_run: bool, also: tuple[str, ...]) -> None:
    """Remove EMAIL's personal data; tickets and survey ratings stay, without the person.

    Deletes the contact row, their inquiries, participant rows, autoreply log
    rows and outbox rows naming them; purges the bodies and author fields of
    their messages and of our mails to them, their attachment files and raw
    mail; scrubs their address from ticket events and clears survey comments on
    their tickets. Then every text, JSON and raw-mail column of every table is
    scrubbed of their address, their full names, the phone numbers in their own
    messages and any --also strings (quarantine reasons, pipeline decisions,
    stored errors and tracebacks, a colleague's quote, a subject).
    """
    from bot.jobs.privacy import FORGET_ITEMS, forget as forget_person

    if "@" not in email:
        fail(f"not an e-mail address: {email!r}")
    runtime = cli.runtime()
    try:
        counts = forget_person(runtime.sessions, runtime.services["attachments"], email, dry_run=dry_run, also=also)
    except SQLAlchemyError as exc:
        fail(database_error(exc), code=1)
    finally:
        runtime.close()
    address = email.strip().lower()
    if not sum(counts.values()):
        click.echo(f"no personal data found for {address}")
        return
    click.echo(f"dry run, nothing changed; forgetting {address} would remove:" if dry_run else f"forgot {address}:")
    for key, label in FORGET_ITEMS:
        if counts[key]:
            click.echo(f"  {counts[key]:>6}  {label}")
