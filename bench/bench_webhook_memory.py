#!/usr/bin/env python3
"""Peak RSS of `supportbot run` while six clients POST 60 MiB each to the portal webhook at once.

    .venv/bin/python bench/bench_webhook_memory.py [--json FILE]

Issue 16: the webhook read the whole body (64 MiB cap) before checking the
signature, and six unsigned 60 MiB POSTs took the process from 119 to 514 MB.
Each scenario runs against a fresh `supportbot run` subprocess (tests/proofs/
harness.py: SQLite, SMTP to a local sink, the portal secret in the environment)
so that its peak (VmHWM of the process) is its own:

- ``unauth``: no signature headers; every client sends all 60 MiB regardless
  (an attacker does not stop at the 401);
- ``signed_oversized``: genuinely signed 60 MiB bodies with their length
  announced (refused from the Content-Length);
- ``signed_chunked``: the same bodies chunked, no length announced (refused
  once the cap is passed while streaming).

Keys written: ``rss_baseline_mb_webhook`` (the idle service),
``rss_peak_mb_webhook_6x60mb_unauth``, ``rss_peak_mb_webhook_6x60mb_signed_oversized``,
``rss_peak_mb_webhook_6x60mb_signed_chunked`` and the statuses the clients got.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.web.portal.signature import sign  # noqa: E402
from tests.proofs.harness import SECRETS, DeskConfig, ServiceProcess, prepare_database  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402

CLIENTS = 6
BODY_BYTES = 60 * 1024 * 1024
SEND_CHUNK = 1024 * 1024
PORTAL_SECRET = SECRETS["SUPPORTBOT_PORTAL_WEBHOOK_SECRET"]


async def post(port: int, body: bytes, headers: list[str], chunked: bool) -> int:
    """Send the head and the whole body (as an attacker would, whatever the server answers); the status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
    head = ["POST /portal/cases HTTP/1.1", f"Host: 127.0.0.1:{port}", "Content-Type: application/json",
            framing, *headers]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
    try:
        for start in range(0, len(body), SEND_CHUNK):
            piece = body[start:start + SEND_CHUNK]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        pass  # the server answered and closed: the rest was never wanted
    try:
        status_line = await asyncio.wait_for(reader.readline(), 60)
        return int(status_line.split()[1]) if status_line else 0
    finally:
        writer.close()


def body_and_headers(kind: str) -> tuple[bytes, list[str], bool]:
    body = b'{"case_id": "P-1", "description": "' + b"x" * (BODY_BYTES - 40) + b'"}'
    if kind == "unauth":
        return body, [], False
    timestamp = str(int(time.time()))
    signed = [f"X-Portal-Timestamp: {timestamp}", f"X-Portal-Signature: {sign(PORTAL_SECRET, timestamp, body)}"]
    return body, signed, kind == "signed_chunked"


def scenario(kind: str, workdir: Path, sink: SmtpSink) -> tuple[float, float, list[int]]:
    """(idle RSS MB, peak RSS MB, statuses) for one fresh service under CLIENTS parallel posts."""
    workdir.mkdir(parents=True)
    config = DeskConfig(workdir, smtp_relay_port=sink.port)
    prepare_database(config.db_url)
    service = ServiceProcess(config).start()
    try:
        service.wait_healthy(timeout=60)
        idle = service.vm_hwm_mb()
        body, headers, chunked = body_and_headers(kind)

        async def attack():
            return await asyncio.gather(*(post(config.http_port, body, headers, chunked) for _ in range(CLIENTS)))

        statuses = asyncio.run(attack())
        time.sleep(1.0)  # anything the server still buffers shows in its peak by now
        return idle, service.vm_hwm_mb(), statuses
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="merge the figures into this JSON file")
    args = parser.parse_args()
    results: dict[str, object] = {"webhook_clients": CLIENTS, "webhook_body_mib": BODY_BYTES // (1024 * 1024)}
    sink = SmtpSink().start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
            for kind in ("unauth", "signed_oversized", "signed_chunked"):
                idle, peak, statuses = scenario(kind, Path(tmp) / kind, sink)
                results.setdefault("rss_baseline_mb_webhook", round(idle, 1))
                results[f"rss_peak_mb_webhook_6x60mb_{kind}"] = round(peak, 1)
                results[f"webhook_6x60mb_{kind}_statuses"] = {str(s): statuses.count(s) for s in sorted(set(statuses))}
                print(f"{kind:17} idle {idle:6.1f} MB  peak {peak:6.1f} MB  statuses {sorted(statuses)}")
    finally:
        sink.stop()
    if args.json:
        path = Path(args.json)
        merged = json.loads(path.read_text()) if path.exists() else {}
        merged.update(results)
        path.write_text(json.dumps(merged, indent=2) + "\n")


if __name__ == "__main__":
    main()
