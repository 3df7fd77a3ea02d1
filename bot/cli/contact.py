"""`supportbot contact …`: the customers' contacts (list, add, show, deauthorise) and their data (export, forget)."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import CliContext, database_error, fail, pass_cli
from bot.cli.session import Refused, contact_line, counts_text, dump, in_session, put
from bot.rendering.terminal import printable
from bot.desk.directory_changes import deauthorise_contact, find_organisation, upsert_contact
from bot.desk.directory_views import contact_view, list_contacts, ticket_counts
from bot.domain.directory import fields
from storage.repositories.directory import find_contact


@click.group()
def contact() -> None:
    """Contacts of customer organisations: who may open cases, and their personal data."""


@contact.command(name="list")
@click.option("--org", "number", metavar="NUMBER", help="Only this organisation's contacts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_(cli: CliContext, number: str | None, as_json: bool) -> None:
    """Contacts by organisation: address, name, role, language, whether they may open cases."""
    def contacts(session, _now):
        organisation = _organisation(session, number) if number else None
        return list_contacts(session, organisation.id if organisation else None)
    put(in_session(cli, contacts), as_json, _list_lines)


def _list_lines(contacts: list[dict]):
    if not contacts:
        yield "no contacts"
    for item in contacts:
        yield f"{printable(item['organisation']['customer_number']):<12} {contact_line(item)}"


def _organisation(session, number: str):
    organisation = find_organisation(session, number)
    if organisation is None:
        raise Refused(f"no organisation with customer number {number!r}")
    return organisation


@contact.command()
@click.argument("email")
@click.option("--org", "number", required=True, metavar="NUMBER", help="The organisation's customer number.")
@click.option("--name", help="Full name.")
@click.option("--role", help="main_admin (the default for a new contact) or it_contact; or huvudadministratör, IT-ansvarig.")
@click.option("--language", help="sv (the default for a new contact) or en.")
@pass_cli
def add(cli: CliContext, email: str, number: str, name: str | None, role: str | None, language: str | None) -> None:
    """Register EMAIL as an authorised contact of organisation NUMBER (or update and re-authorise them)."""
    try:
        address = fields.email(email)
        values = {"authorised": True, **_given(name=name, role=role, language=language)}
    except fields.FieldError as exc:
        fail(str(exc))

    def register(session, now):
        organisation = _organisation(session, number)
        _, outcome = upsert_contact(session, organisation, address, values, now)
        return f"{outcome} {address}: authorised contact of {printable(organisation.name)} ({printable(number)})"
    click.echo(in_session(cli, register))


def _given(*, name: str | None, role: str | None, language: str | None) -> dict:
    values = {}
    if name is not None:
        values["name"] = fields.text("name", name)
    if role is not None:
        values["role"] = fields.role(role)
    if language is not None:
        values["language"] = fields.language(language)
    return values


@contact.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def show(cli: CliContext, email: str, as_json: bool) -> None:
    """One contact: organisation, role, language, authorised, phone, services, Slack id, tickets by status."""
    def document(session, _now):
        found = find_contact(session, email)
        if found is None:
            raise Refused(f"no contact with the e-mail address {email.strip().lower()!r}")
        return {**contact_view(found, found.organisation), "tickets": ticket_counts(session, contact_id=found.id)}
    put(in_session(cli, document), as_json, _show_lines)


def _show_lines(view: dict):
    organisation = view["organisation"]
    yield contact_line(view)
    yield f"  organisation  {printable(organisation['name'])} ({printable(organisation['customer_number'])})"
    for key in ("phone", "slack_user_id", "bounced_at", "created_at"):
        yield f"  {key:<13} {printable(view[key] or '-')}"
    yield f"  services      {printable('; '.join(view['services']) or '-')}"
    yield f"  tickets       {counts_text(view['tickets'])}"


@contact.command()
@click.argument("email")
@pass_cli
def deauthorise(cli: CliContext, email: str) -> None:
    """EMAIL may no longer open cases: their mail gets the unknown-sender answer (the contact and history stay)."""
    address = email.strip().lower()

    def change(session, _now):
        found, outcome = deauthorise_contact(session, address)
        if found is None:
            raise Refused(f"no contact with the e-mail address {address!r}")
        return outcome
    outcome = in_session(cli, change)
    click.echo(f"{address} was already de-authorised" if outcome == "unchanged" else
               f"de-authorised {address}: their new mail gets the unknown-sender answer")


@contact.command()
@click.argument("email")
@pass_cli
def export(cli: CliContext, email: str) -> None:
    """Everything stored about EMAIL, as JSON (an access request; `forget` is the erasure beside it).

    The contact row and organisation, their tickets and the messages they wrote, their inquiries,
    ticket and directory events naming them, survey answers on their tickets, mail to them in the
    outbox, automatic answers sent to them and the raw mail from them (headers, not bodies).
    """
    from bot.jobs.privacy_export import export_person

    if "@" not in email:
        fail(f"not an e-mail address: {email!r}")
    runtime = cli.runtime()
    try:
        document = export_person(runtime.sessions, email, runtime.clock())
    finally:
        runtime.close()
    click.echo(dump(document))


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
