#!/usr/bin/env python3
"""Peak RSS of `supportbot run` for big mail through the SMTP ingress (issue 21, point 1).

    .venv/bin/python bench/bench_memory.py [--json FILE]

A real `supportbot run` subprocess (SQLite, registered sender, new_case_policy =
"ticket", Slack against the local stand-in), ``smtp_ingress.max_message_bytes``
raised to 40 MiB. Peak RSS is VmHWM of the service process; the baseline is
VmHWM after start-up.

- one mail with a 25 MiB attachment (a 35 MB message): target peak − baseline
  < 4 × 25 MiB;
- in a fresh process, four such mails of ~35 MB sent at once over four
  connections: target peak < 300 MB. All four must be stored and carded
  (a 451 from the in-flight budget is retried, as a sending MTA would).
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_latency import card_times, new_case  # noqa: E402  (the same mails and cards)
from bot.devtools.slack_standin import SlackStandin  # noqa: E402
from tests.proofs.harness import SUPPORT, DeskConfig, ServiceProcess, poll_until, prepare_database  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402

MIB = 1024 * 1024
ATTACHMENT_BYTES = 25 * MIB
PARALLEL_ATTACHMENT_BYTES = ATTACHMENT_BYTES  # the largest stored (desk.attachment_max_bytes): a 35.9 MB message


def send_retrying(port: int, raw: bytes, sender: str, deadline_s: float = 300) -> int:
    """Send one mail, retrying a 4xx as an MTA would; the number of 451s met."""
    refusals, deadline = 0, time.monotonic() + deadline_s
    while True:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=180) as client:
                client.sendmail(sender, [SUPPORT], raw)
            return refusals
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            if exc.smtp_code // 100 != 4 or time.monotonic() > deadline:
                raise
            refusals += 1
            time.sleep(1.0)


def run(work: Path, name: str, attachments: int, attachment_bytes: int) -> dict:
    sink, standin = SmtpSink().start(), SlackStandin().start()
    config = DeskConfig(work / name, sink.port, slack_base_url=standin.base_url, slack_token=standin.token,
                        sections={"smtp_ingress": {"max_message_bytes": 40 * MIB}})
    config.workdir.mkdir(parents=True)
    [contact] = prepare_database(config.db_url, contacts=1).contacts
    service = ServiceProcess(config).start()
    try:
        service.wait_healthy()
        time.sleep(1.0)  # let start-up settle before the baseline
        baseline = service.vm_hwm_mb()
        mails = {f"{name}{n:04d}": new_case(contact, f"{name}{n:04d}", os.urandom(attachment_bytes))
                 for n in range(attachments)}
        refusals: list[int] = []
        started = time.time()
        senders = [threading.Thread(target=lambda raw=raw: refusals.append(send_retrying(config.ingress_port, raw,
                                                                                          contact)))
                   for raw in mails.values()]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        accepted_s = time.time() - started
        assert len(refusals) == attachments, "a sender failed"
        poll_until(lambda: all(token in card_times(standin) for token in mails), timeout=300, interval=0.1,
                   what="every card")
        poll_until(lambda: len([p for p in (config.workdir / "attachments").rglob("*") if p.is_file()
                                and p.stat().st_size == attachment_bytes]) == attachments,
                   timeout=120, what="the attachment files")
        time.sleep(1.0)
        peak = service.vm_hwm_mb()
        assert service.stop() == 0
    finally:
        service.kill()
        sink.stop()
        standin.stop()
    return {"message_mb": round(len(next(iter(mails.values()))) / 1e6, 1), "mails": attachments,
            "baseline_mb": round(baseline, 1), "peak_mb": round(peak, 1), "accepted_s": round(accepted_s, 2),
            "retried_451": sum(refusals)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="merge the figures into this JSON file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sb-memory-"))
    one = run(work, "one", 1, ATTACHMENT_BYTES)
    four = run(work, "four", 4, PARALLEL_ATTACHMENT_BYTES)
    growth = one["peak_mb"] - one["baseline_mb"]
    print(f"one 25 MiB attachment ({one['message_mb']} MB message): peak RSS {one['peak_mb']} MB, after start-up "
          f"{one['baseline_mb']} MB: +{growth:.0f} MB = {growth / (ATTACHMENT_BYTES / MIB):.1f}× the attachment "
          f"(target < 4×)")
    print(f"four {four['message_mb']} MB mails at once: peak RSS {four['peak_mb']} MB (target < 300: "
          f"{four['peak_mb'] / 300:.2f}×), {four['retried_451']} 451 retries, accepted in {four['accepted_s']} s")
    if args.json:
        merged = json.loads(args.json.read_text()) if args.json.exists() else {}
        merged.update(rss_peak_mb_25mb_attachment=one["peak_mb"], rss_baseline_mb=one["baseline_mb"],
                      rss_peak_mb_4x35mb_smtp=four["peak_mb"], rss_4x35mb_baseline_mb=four["baseline_mb"],
                      rss_4x35mb_retried_451=four["retried_451"])
        args.json.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
