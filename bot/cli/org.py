"""`supportbot org list|show`: the customer organisations in the directory."""

from __future__ import annotations

import click

from bot.cli.context import CliContext, pass_cli
from bot.cli.session import Refused, contact_line, counts_text, in_session, put
from bot.rendering.terminal import printable
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
    put(in_session(cli, lambda session, _now: list_organisations(session)), as_json, _list_lines)


def _list_lines(organisations: list[dict]):
    if not organisations:
        yield "no organisations (supportbot directory import FILE)"
    for item in organisations:
        yield (f"{printable(item['customer_number']):<12} {printable(item['name'])}  "
               f"({item['authorised']}/{item['contacts']} contacts authorised)")


@org.command()
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def show(cli: CliContext, number: str, as_json: bool) -> None:
    """One organisation: its contacts and its tickets by status."""
    put(in_session(cli, lambda session, _now: organisation_document(session, number)), as_json, _show_lines)


def organisation_document(session, number: str) -> dict:
    """The organisation with its contacts and ticket counts; Refused when there is none."""
    organisation = find_organisation(session, number)
    if organisation is None:
        raise Refused(f"no organisation with customer number {number!r}")
    contacts = list_contacts(session, organisation.id)
    return {**organisation_view(organisation, len(contacts), sum(c["authorised"] for c in contacts)),
            "tickets": ticket_counts(session, organisation_id=organisation.id), "contact_list": contacts}


def _show_lines(view: dict):
    yield f"{printable(view['name'])} (customer number {printable(view['customer_number'])})"
    yield "tickets: " + counts_text(view["tickets"])
    yield f"contacts: {view['authorised']} of {view['contacts']} authorised"
    for contact in view["contact_list"]:
        yield "  " + contact_line(contact)
