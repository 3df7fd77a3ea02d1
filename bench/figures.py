#!/usr/bin/env python3
"""The benchmark figures of bench-results.json: ratios against the targets, and README's table.

    .venv/bin/python bench/figures.py [--results bench-results.json] [--readme README.md]

Prints each issue-21 target with the measured ratio; with ``--readme``, rewrites the
table between the ``bench-figures`` markers of README.md from the file, so the
README never shows a figure the file does not hold.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

START, END = "<!-- bench-figures:start -->", "<!-- bench-figures:end -->"
ATTACHMENT_MIB = 25


def _int(value: float) -> str:
    return f"{value:,.0f}"


def targets(r: dict) -> list[tuple[str, float | None, str, bool | None]]:
    """(what, measured ratio, target, met) for each target of issue 21 the file has figures for."""
    rows = []
    floor, peer = r.get("floor_msgs_per_s"), r.get("peer_msgs_per_s")
    if r.get("ingest_registered_msgs_per_s") and floor:
        share = r["ingest_registered_msgs_per_s"] / floor
        rows.append(("registered senders (tickets) / floor", share, "≥ 0.50", share >= 0.5))
    if r.get("ingest_registered_msgs_per_s") and peer:
        times = r["ingest_registered_msgs_per_s"] / peer
        rows.append(("registered senders (tickets) / peer", times, "≥ 15", times >= 15))
    if r.get("ingest_msgs_per_s") and floor:
        share = r["ingest_msgs_per_s"] / floor
        rows.append(("unknown senders / floor", share, "≥ 0.60", share >= 0.6))
    if r.get("rss_peak_mb_25mb_attachment") and r.get("rss_baseline_mb"):
        growth = (r["rss_peak_mb_25mb_attachment"] - r["rss_baseline_mb"]) / ATTACHMENT_MIB
        rows.append(("25 MiB attachment: (peak − idle RSS) / attachment", growth, "< 4", growth < 4))
    if r.get("rss_peak_mb_4x35mb_smtp"):
        share = r["rss_peak_mb_4x35mb_smtp"] / 300
        rows.append(("four parallel 35 MB mails: peak RSS / 300 MB", share, "< 1", share < 1))
    if r.get("cli_start_ms"):
        share = r["cli_start_ms"] / 300
        rows.append(("`hours status` start-up (median wall) / 300 ms", share, "< 1", share < 1))
    return rows


def table(r: dict) -> list[str]:
    """README's benchmark table, from the figures there are."""
    rows: list[tuple[str, str, str]] = []
    floor, peer = r.get("floor_msgs_per_s"), r.get("peer_msgs_per_s")
    if r.get("ingest_msgs_per_s"):
        runs = ", ".join(_int(x) for x in r.get("ingest_runs", []))
        versus = f"django-helpdesk 2.6.1 `get_email`: {peer} msg/s (×{r['ingest_msgs_per_s'] / peer:.1f}; target ×10)" \
            if peer else "peer not measured"
        rows.append((f"backlog ingest, {_int(r.get('ingest_n', 0))} mails, unknown senders, whole command (runs: {runs})",
                     f"{_int(r['ingest_msgs_per_s'])} msg/s", versus))
        if floor:
            runs = ", ".join(_int(x) for x in r.get("floor_runs", []))
            rows.append((f"same, against the raw floor (floor runs: {runs})", f"{r['ingest_msgs_per_s'] / floor:.0%}",
                         f"FETCH + full parse in 2 processes: {_int(floor)} msg/s (target 60 %)"))
    if r.get("ingest_registered_msgs_per_s"):
        registered = r["ingest_registered_msgs_per_s"]
        committed = r.get("ingest_registered_committed", {})
        parts = [f"×{registered / peer:.1f} the peer (target ×15)" if peer else None,
                 f"{registered / floor:.0%} of the floor (target 50 %)" if floor else None,
                 f"{_int(committed['tickets'])} tickets with receipts and SLA clocks" if "tickets" in committed else None]
        rows.append(("same corpus, every sender a registered contact, `new_case_policy = \"ticket\"` (same run)",
                     f"{_int(registered)} msg/s", ", ".join(part for part in parts if part)))
    if r.get("rss_peak_mb_10k"):
        rows.append((f"{_int(r.get('rss_n', 10000))}-mail backlog",
                     f"{_int(r.get('ingest_msgs_per_s_10k', 0))} msg/s, peak RSS {r['rss_peak_mb_10k']} MB", "target < 100 MB"))
    if r.get("idle_latency_p95_ms"):
        rows.append((f"IDLE: APPEND → processed, {r.get('idle_latency_n')} mails",
                     f"p50 {r['idle_latency_p50_ms']} ms, p95 {r['idle_latency_p95_ms']} ms, max {r['idle_latency_max_ms']} ms",
                     "Dovecot itself waits ~500 ms; target p95 < 700 ms"))
    calendar = r.get("calendar")
    if calendar:
        rows.append(("next opening / 120-min SLA due",
                     f"~{_int(round(calendar['next_opening_per_s'], -4))} / ~{_int(round(calendar['sla_due_120_per_s'], -4))} per s",
                     "target 50,000/s"))
    if r.get("sla_tick_ms_100k"):
        pg = f", ~{r['sla_tick_ms_100k_pg']:.0f} ms PostgreSQL" if r.get("sla_tick_ms_100k_pg") else ""
        rows.append(("SLA monitor tick, 100,000 open tickets (500 due)", f"~{r['sla_tick_ms_100k']:.0f} ms SQLite{pg}",
                     "target < 100 ms"))
    if r.get("latency_p95_ms"):
        rows.append((f"IMAP APPEND → card posted, {r['latency_n']} mails",
                     f"p50 {r['latency_p50_ms']} ms, p95 {r['latency_p95_ms']} ms, max {r['latency_max_ms']} ms",
                     "target p95 < 1 s (Dovecot waits ~500 ms)"))
    if r.get("smtp_latency_p95_ms"):
        rows.append((f"SMTP ingress → card posted, {r['smtp_latency_n']} mails",
                     f"p50 {r['smtp_latency_p50_ms']} ms, p95 {r['smtp_latency_p95_ms']} ms, max {r['smtp_latency_max_ms']} ms",
                     "target p95 < 300 ms"))
    if r.get("rss_peak_mb_25mb_attachment"):
        growth = r["rss_peak_mb_25mb_attachment"] - r.get("rss_baseline_mb", 0)
        rows.append(("one 25 MiB attachment through SMTP ingress (`bench/bench_memory.py`)",
                     f"peak RSS {r['rss_peak_mb_25mb_attachment']} MB ({r.get('rss_baseline_mb')} MB at start: "
                     f"+{growth / ATTACHMENT_MIB:.1f}× the attachment)",
                     "target < 4× the attachment above idle"))
    if r.get("rss_peak_mb_4x35mb_smtp"):
        rows.append(("four parallel 35 MB mails over SMTP", f"peak RSS {r['rss_peak_mb_4x35mb_smtp']} MB "
                     f"({r.get('rss_4x35mb_baseline_mb')} MB at start; {r.get('rss_4x35mb_retried_451', 0)} 451 retries)",
                     "target < 300 MB"))
    if r.get("rss_peak_mb_webhook_6x60mb_unauth"):
        rows.append(("six parallel 60 MiB POSTs to the portal webhook (`bench/bench_webhook_memory.py`): unsigned; "
                     "signed, length announced; signed, chunked",
                     f"peak RSS {r['rss_peak_mb_webhook_6x60mb_unauth']} / {r['rss_peak_mb_webhook_6x60mb_signed_oversized']}"
                     f" / {r['rss_peak_mb_webhook_6x60mb_signed_chunked']} MB ({r.get('rss_baseline_mb_webhook')} MB idle)",
                     "401 before reading, 413 at the 2 MiB cap"))
    hostile = r.get("hostile")
    if hostile:
        rows.append((f"a mail to {_int(hostile['recipients'])} recipients (`bench/bench_hostile.py`)",
                     f"parse {hostile['parse_ms']:.0f} ms, whole pipeline to ticket and receipt {hostile['pipeline_ms']:.0f} ms",
                     "the black-box run: 0.12 s"))
        if hostile.get("sender_rule_us"):
            rows.append(("crediting a sender (policy.default's address parser)", f"~{hostile['sender_rule_us']:.0f} µs per mail",
                         "`parseaddr` took ~8 µs and credited forged senders"))
    if r.get("directory_import_5k_first_s"):
        rows.append(("`directory import` of 5,000 contacts (`bench/bench_directory.py`), whole command: first / again / "
                     "10 % changed with `--prune`",
                     f"SQLite {r['directory_import_5k_first_s']} / {r['directory_import_5k_again_s']} / "
                     f"{r['directory_import_5k_changed_s']} s; PostgreSQL {r.get('directory_import_5k_first_s_pg')} / "
                     f"{r.get('directory_import_5k_again_s_pg')} / {r.get('directory_import_5k_changed_s_pg')} s",
                     "\"a few seconds\""))
    cli = r.get("cli_start")
    if cli:
        rows.append((f"start-up, {cli['runs']} runs each (`bench/bench_cli.py`): `--help` / `version` / `hours status` "
                     "/ `hours next-opening`: wall median (min–max), CPU median",
                     " / ".join(f"{cli[name]['median_ms']:.0f} ({cli[name]['min_ms']:.0f}–{cli[name]['max_ms']:.0f}) ms, "
                                f"CPU {cli[name]['cpu_median_ms']:.0f} ms"
                                for name in ("help", "version", "hours_status", "hours_next_opening")),
                     f"target < 300 ms; `python -c pass` {cli['python']['median_ms']:.0f} ms, load average "
                     f"{cli['load_average']} on 2 vCPU while measuring"))
    lines = ["| measure | supportbot | compared with |", "|---|---|---|"]
    lines += [f"| {measure} | {ours} | {versus} |" for measure, ours, versus in rows]
    return lines


def rewrite_readme(readme: Path, lines: list[str]) -> None:
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: no {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(lines) + "\n" + END + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--readme", type=Path, help="rewrite the figures table of this README")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text())
    for what, ratio, target, met in targets(results):
        print(f"{what:58} {ratio:6.2f}  target {target:7}  {'met' if met else 'NOT MET'}")
    if args.readme:
        rewrite_readme(args.readme, table(results))
        print(f"{args.readme}: figures table rewritten from {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
