"""`supportbot org list|show`: the customer organisations in the directory."""

from __future__ import annotations

import json

import click

from bot.app.runtime import Runtime
from bot.cli.context import CliContext, fail, pass_cli
from bot.cli.terminal import printable, safe_json
from bot.desk.directory_changes import find_organisation
from bot.desk.directory_views import list_contacts, list_organisations, organisation_view, ticket_counts


@click.group()
def org() -> None:
    """Customer organisations (fill them with `supportbot directory import`)."""


@org.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_(cli: CliContext, as_json: bool) -> None:
    """Every organisation: customer number, name, contacts (authorised/all)."""
    runtime = Runtime(cli.settings)
    with runtime.sessions() as session:
        organisations = list_organisations(session)
    runtime.close()
    if as_json:
        click.echo(dump(organisations))
        return
    if not organisations:
        click.echo("no organisations (supportbot directory import FILE)")
    for item in organisations:
        click.echo(f"{printable(item['customer_number']):<12} {printable(item['name'])}  "
                   f"({item['authorised']}/{item['contacts']} contacts authorised)")


@org.command()
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def show(cli: CliContext, number: str, as_json: bool) -> None:
    """One organisation: its contacts and its tickets by status."""
    runtime = Runtime(cli.settings)
    with runtime.sessions() as session:
        organisation = find_organisation(session, number)
        if organisation is None:
            runtime.close()
            fail(f"no organisation with customer number {number!r}", code=1)
        contacts = list_contacts(session, organisation.id)
        view = {**organisation_view(organisation, len(contacts), sum(c["authorised"] for c in contacts)),
                "tickets": ticket_counts(session, organisation_id=organisation.id), "contact_list": contacts}
    runtime.close()
    if as_json:
        click.echo(dump(view))
        return
    click.echo(f"{printable(view['name'])} (customer number {printable(view['customer_number'])})")
    click.echo("tickets: " + (", ".join(f"{n} {status}" for status, n in view["tickets"].items()) or "none"))
    click.echo(f"contacts: {view['authorised']} of {view['contacts']} authorised")
    for contact in contacts:
        click.echo("  " + contact_line(contact))


def contact_line(contact: dict) -> str:
    """One contact on one line: address, name, role, language, and whether they may open cases."""
    standing = "authorised" if contact["authorised"] else "NOT authorised"
    return (f"{printable(contact['email'])}  {printable(contact['name'] or '-')}  {contact['role']}  "
            f"{contact['language']}  {standing}")


def dump(document) -> str:
    """JSON for the terminal: UTF-8 as it is, the characters a terminal would obey escaped."""
    return safe_json(json.dumps(document, ensure_ascii=False, indent=2))
