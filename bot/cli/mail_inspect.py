"""`supportbot mail inspect FILE.eml`: what the pipeline would do with a mail, without doing it."""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.intake import pipeline
from bot.cli.context import CliContext, fail, pass_cli
from bot.rendering.terminal import printable, safe_json
from bot.domain.mail.loops import automatic_reason, is_own_mail
from handlers.base import PipelineContext


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_cli
def inspect(cli: CliContext, path: Path, as_json: bool) -> None:
    """Run the e-mail pipeline on FILE in dry-run mode and print what it would do."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    report = _inspect(cli, raw)
    if as_json:
        click.echo(safe_json(json.dumps(report, ensure_ascii=False, indent=2)))
    else:
        _print(report)


def _inspect(cli: CliContext, raw: bytes) -> dict:
    from bot.domain.mail.parse import parse_mail  # here: every other command starts without the parser

    settings = cli.settings
    report: dict = {"size": len(raw)}
    try:
        message = parse_mail(raw, attachment_max_bytes=settings.desk.attachment_max_bytes)
    except Exception as exc:  # the parser is lenient; this is the last resort, never a crash
        report["error"] = f"unparseable: {type(exc).__name__}: {exc}"
        return report
    report.update(
        # null when the From names no one (one well-formed mailbox or nobody; see bot/domain/mail/mailboxes.py)
        message_id=message.message_id, sender=message.sender_email or None, subject=message.subject,
        classification="own mail" if is_own_mail(message) else (
            f"automatic: {reason}" if (reason := automatic_reason(message)) else "customer"),
        defects=sorted(set(message.defects)), text=message.text, fresh_text=message.fresh_text(),
        attachments=[{"filename": a.filename, "content_type": a.content_type, "size": a.size,
                      "stored": a.content is not None} for a in message.attachments],
    )
    report.update(_dry_run(cli, raw, message))
    return report


def _dry_run(cli: CliContext, raw: bytes, message) -> dict:
    from bot.cli.context import database_problem

    runtime = cli.runtime_unchecked()
    problem = database_problem(runtime)
    if problem:  # inspecting needs no database; matching against tickets does
        runtime.close()
        return {"outcome": "unknown", "reason": f"{problem[0]}; ticket matching skipped"}
    try:
        with runtime.sessions() as session:
            ctx = PipelineContext(session, cli.settings, runtime.clock(), raw=raw, message=message,
                                  services=runtime.services, dry_run=True)
            outcome = pipeline.run("email", ctx)
            session.rollback()
            return {"outcome": outcome.disposition, "reason": outcome.reason, "decisions": list(outcome.decisions),
                    "ticket": ctx.ticket.reference if ctx.ticket is not None else None}
    except SQLAlchemyError as exc:
        return {"outcome": "unknown", "reason": f"database unavailable ({type(exc).__name__}); ticket matching skipped"}
    except Exception as exc:
        return {"outcome": "would be quarantined", "reason": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc()}
    finally:
        runtime.close()


def _print(report: dict) -> None:
    """The report as text; every value from the mail goes through ``printable`` (no terminal escapes)."""
    if "error" in report:
        click.echo(f"error: {printable(report['error'])}")
        return
    for key in ("message_id", "sender", "subject", "classification", "outcome", "reason", "ticket"):
        click.echo(f"{key.replace('_', '-')}: {printable(str(report.get(key) or '-'))}")
    for decision in report.get("decisions", []):
        click.echo(f"  decision: {printable(decision)}")
    if report["defects"]:
        click.echo(f"defects: {printable(', '.join(report['defects']))}")
    for item in report["attachments"]:
        kept = "" if item["stored"] else " (over the size cap, not stored)"
        click.echo(f"attachment: {printable(item['filename'])} ({printable(item['content_type'])}, "
                   f"{item['size']} bytes){kept}")
    click.echo("\n--- text (new part) ---")
    click.echo(printable(report["fresh_text"], lines=True))
