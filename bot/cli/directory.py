"""`supportbot directory import FILE`: the portal's export of organisations and contacts, all or nothing."""

from __future__ import annotations

import json

import click

from bot.cli.context import CliContext, pass_cli
from bot.rendering.terminal import printable, safe_json
from bot.desk.directory_import import ImportReport, import_file

_DELIMITERS = {",": ",", ";": ";", "tab": "\t"}


@click.group()
def directory() -> None:
    """The customer directory: the organisations and contacts who may open cases."""


@directory.command(name="import")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Check and count; write nothing.")
@click.option("--prune", is_flag=True,
              help="De-authorise (never delete) contacts of the file's organisations that the file does not list.")
@click.option("--skip-invalid", is_flag=True, help="Write the good rows even when others are rejected.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--encoding", default="utf-8", show_default=True,
              help="The file's encoding when it has no byte-order mark (Excel's plain CSV: cp1252).")
@click.option("--delimiter", type=click.Choice(sorted(_DELIMITERS)), help="Default: the one the header uses.")
@pass_cli
def import_(cli: CliContext, file, dry_run: bool, prune: bool, skip_invalid: bool, as_json: bool, encoding: str,
            delimiter: str | None) -> None:
    """Import FILE (CSV; FILE may be - for stdin) with the header
    customer_number,organisation,email,name,role,language,authorised and optionally phone, slack_user_id,
    services (;-separated, in order).

    Organisations are matched by customer number, contacts by e-mail (case does not matter). Any rejected
    row (each is listed with its line and reason) means nothing is written and exit status 1, unless
    --skip-invalid. Importing the same file again changes nothing.
    """
    data = file.read()
    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            report = import_file(session, data, runtime.clock(), encoding=encoding,
                                 delimiter=_DELIMITERS[delimiter] if delimiter else None, prune=prune,
                                 skip_invalid=skip_invalid, dry_run=dry_run)
            session.commit()
    finally:
        runtime.close()
    click.echo(safe_json(json.dumps(report.as_json(), ensure_ascii=False, indent=2)) if as_json
               else _text(report, skip_invalid))
    if report.rejected and not skip_invalid:
        raise SystemExit(1)


def _text(report: ImportReport, skip_invalid: bool) -> str:
    counts = report.as_json()
    lines = ["organisations: " + ", ".join(f"{n} {what}" for what, n in counts["organisations"].items()),
             "contacts: " + ", ".join(f"{n} {what}" for what, n in counts["contacts"].items())]
    if report.rejected:
        lines.append(f"rejected: {len(report.rejected)} row{'s' if len(report.rejected) > 1 else ''}")
        lines += [f"  line {r.line}: {printable(r.reason)}" for r in report.rejected]
    if report.prune_spared:
        lines.append(f"--prune left organisation{'s' if len(report.prune_spared) > 1 else ''} "
                     f"{', '.join(report.prune_spared)} alone: they have rejected rows")
    if report.rejected and not skip_invalid:
        lines.append("nothing written: fix the rejected rows, or pass --skip-invalid to write the others")
    elif not report.written:
        lines.append("dry run: nothing written")
    return "\n".join(lines)
