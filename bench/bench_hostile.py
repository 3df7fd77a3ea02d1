"""Benchmark hostile shapes that must stay cheap: a mail to 10,000 recipients, and the sender rule.

A mail with 10,000 To addresses, parsed and run through the whole e-mail pipeline
on SQLite (policy "ticket": one ticket, one receipt); and the cost of crediting a
sender (bot/domain/mail/mailboxes.py, policy.default's address parser) per mail. One
core; the best of ``--repeats`` runs counts. Not part of the tests.

    .venv/bin/python bench/bench_hostile.py [--recipients 10000] [--repeats 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from email import policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bot.intake import pipeline  # noqa: E402
from storage.attachment_store import AttachmentStore  # noqa: E402
from bot.app.config import Settings  # noqa: E402
from bot.domain.hours.calendar import calendar_from_settings  # noqa: E402
from bot.domain.mail.parse import parse_mail  # noqa: E402
from bot.domain.mail.mailboxes import sole_mailbox  # noqa: E402
from handlers.base import PipelineContext  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import make_engine, make_session_factory  # noqa: E402

NOW = datetime(2026, 3, 10, 9, 15, tzinfo=timezone.utc)


def wide_mail(recipients: int, number: int) -> bytes:
    to = ", ".join(f"User {n} <user{n}@lists.example>" for n in range(recipients))
    return (f"From: Kim <kim{number}@elsewhere.example>\r\nTo: support@example.com, {to}\r\nSubject: Till alla\r\n"
            f"Message-ID: <wide{number}@elsewhere.example>\r\n\r\nHej alla!\r\n").encode()


def best_ms(operation, repeats: int) -> float:
    best = float("inf")
    for number in range(repeats):
        began = time.perf_counter()
        operation(number)
        best = min(best, time.perf_counter() - began)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, metavar="FILE", help="also merge the figures into this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/bench.db")
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        settings = Settings.model_validate({"portal": {"new_case_policy": "ticket"}})
        services = {"calendar": calendar_from_settings(settings.hours), "attachments": AttachmentStore(directory)}
        raws = [wide_mail(args.recipients, number) for number in range(args.repeats)]

        def through_pipeline(number: int) -> None:
            with sessions() as session:
                ctx = PipelineContext(session, settings, NOW, raw=raws[number], services=services)
                assert pipeline.run("email", ctx).disposition == "processed"
                session.commit()

        results = {"parse_ms": best_ms(lambda n: parse_mail(raws[n]), args.repeats),
                   "pipeline_ms": best_ms(through_pipeline, args.repeats)}
        engine.dispose()
    froms = [f"=?utf-8?q?Kund_{n}?= <kund{n}@kund.se>" for n in range(20_000)]
    began = time.perf_counter()
    for value in froms:
        sole_mailbox("From", [value], policy.default)
    results["sender_rule_us"] = (time.perf_counter() - began) / len(froms) * 1e6
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged["hostile"] = {"recipients": args.recipients, **{k: round(v, 2) for k, v in results.items()}}
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
    print(f"a mail to {args.recipients:,} recipients: parse {results['parse_ms']:.1f} ms, "
          f"whole pipeline (ticket, receipt) {results['pipeline_ms']:.1f} ms")
    print(f"sender rule (one From, policy.default address parser): {results['sender_rule_us']:.1f} µs per mail")
    return 0


if __name__ == "__main__":
    sys.exit(main())
