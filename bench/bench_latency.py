#!/usr/bin/env python3
"""Latency to the staff card, end to end, through `supportbot run` (peak RSS for big mail: bench_memory.py).

    .venv/bin/python bench/bench_latency.py [--n 200] [--smtp-n 200] [--json FILE]

A real `supportbot run` subprocess with IMAP (a throw-away Dovecot from
tests/support/imap_server.py, pushed by IDLE), its SMTP ingress, outbound mail to
a local SMTP sink, and Slack in HTTP mode against the local Web API stand-in;
``portal.new_case_policy = "ticket"`` and registered contacts seeded, so every
mail opens a ticket and posts a card (chat.postMessage in the staff channel).
``slack.min_post_interval_s = 0`` for the measurement: Slack's own pacing (one
post per channel per second) would measure the pacer, not the desk.

- IMAP: APPEND to Dovecot → card received by the stand-in, --n mails spaced
  randomly (0.05–0.4 s between one card and the next APPEND, so one mail is in
  flight at a time). Dovecot itself tells an idling client ~500 ms after the APPEND.
- SMTP: connect to the ingress → card received, --smtp-n mails, same spacing
  (target p95 < 300 ms).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.devtools.slack_standin import SlackStandin  # noqa: E402
from bot.slack.blocks.card import METADATA_EVENT_TYPE  # noqa: E402
from tests.proofs.harness import STAFF_CHANNEL, SUPPORT, DeskConfig, ServiceProcess, poll_until, prepare_database, \
    send_smtp  # noqa: E402
from tests.support.imap_server import start_imap_server  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402

def new_case(sender: str, subject: str, attachment: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, SUPPORT, subject
    message["Message-ID"] = make_msgid(domain="bench.example")
    message.set_content("Hej!\n\nExporten stannar vid 80 %.\n\nÅsa")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="dump.bin")
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire


def card_times(standin: SlackStandin) -> dict[str, float]:
    """Subject token → when its card reached the stand-in (epoch seconds)."""
    found = {}
    for call in standin.calls("chat.postMessage"):
        if call.ok and call.params.get("channel") == STAFF_CHANNEL and not call.params.get("thread_ts") \
                and (call.params.get("metadata") or {}).get("event_type") == METADATA_EVENT_TYPE:
            token = str(call.params.get("text", "")).split(": ", 1)[-1].split(" ", 1)[0]
            found.setdefault(token, call.received_at.timestamp())
    return found


def summary(latencies_s: list[float]) -> dict:
    values = sorted(seconds * 1000 for seconds in latencies_s)
    p95 = values[int(0.95 * (len(values) - 1))]  # as bench_ingest.py computes it
    return {"n": len(values), "p50": round(statistics.median(values)), "p95": round(p95), "max": round(values[-1])}


def measure(standin: SlackStandin, count: int, send, prefix: str, rng: random.Random) -> dict:
    """Send ``count`` mails spaced randomly, each after the previous one's card; latency to each card.

    ``send(token)`` returns once the mail is handed over. Waiting for each card keeps
    one mail in flight, so each figure is one mail's own latency (as bench_ingest.py
    measures IDLE), not the luck of being fetched along with an earlier one.
    """
    latencies = []
    for number in range(count):
        time.sleep(rng.uniform(0.05, 0.4))
        token = f"{prefix}{number:04d}"
        sent_at = time.time()
        send(token)
        card_at = poll_until(lambda: card_times(standin).get(token), timeout=30, interval=0.01,
                             what=f"the card of {token}")
        latencies.append(card_at - sent_at)
    return summary(latencies)


def run_latency(work: Path, args) -> dict:
    imap = start_imap_server(work / "imap")
    sink, standin = SmtpSink().start(), SlackStandin().start()
    config = DeskConfig(work / "latency", sink.port, imap=imap, slack_base_url=standin.base_url,
                        slack_token=standin.token)
    config.workdir.mkdir(parents=True)
    contacts = prepare_database(config.db_url, contacts=50).contacts
    service = ServiceProcess(config).start()
    rng = random.Random(7)
    try:
        service.wait_healthy()
        with imap.client() as appender:
            imap_figures = measure(standin, args.n, lambda token: appender.append(
                "INBOX", new_case(rng.choice(contacts), token)), "imap", rng)

        def via_smtp(token: str) -> None:
            sender = rng.choice(contacts)
            send_smtp(config.ingress_port, new_case(sender, token), sender, [SUPPORT])
        smtp_figures = measure(standin, args.smtp_n, via_smtp, "smtp", rng)
        assert service.stop() == 0
    finally:
        service.kill()
        imap.close()
        sink.stop()
        standin.stop()
    return {"imap": imap_figures, "smtp": smtp_figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="mails by IMAP APPEND")
    parser.add_argument("--smtp-n", type=int, default=200, help="mails through the SMTP ingress")
    parser.add_argument("--json", type=Path, help="merge the figures into this JSON file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sb-latency-"))
    latency = run_latency(work, args)
    results = {
        "latency_n": latency["imap"]["n"], "latency_p50_ms": latency["imap"]["p50"],
        "latency_p95_ms": latency["imap"]["p95"], "latency_max_ms": latency["imap"]["max"],
        "smtp_latency_n": latency["smtp"]["n"], "smtp_latency_p50_ms": latency["smtp"]["p50"],
        "smtp_latency_p95_ms": latency["smtp"]["p95"], "smtp_latency_max_ms": latency["smtp"]["max"],
    }
    print(f"APPEND → card (IMAP IDLE), {results['latency_n']} mails: p50 {results['latency_p50_ms']} ms, "
          f"p95 {results['latency_p95_ms']} ms, max {results['latency_max_ms']} ms (Dovecot waits ~500 ms itself)")
    print(f"SMTP ingress → card, {results['smtp_latency_n']} mails: p50 {results['smtp_latency_p50_ms']} ms, "
          f"p95 {results['smtp_latency_p95_ms']} ms, max {results['smtp_latency_max_ms']} ms (target p95 < 300)")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(results)
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
