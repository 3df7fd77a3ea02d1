"""`supportbot run` as a subprocess: two listeners, no banner, and the webhook's 401 before the body is read."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time

from tests.support.service_loop import poll_until
from tests.app.test_run_command import SUPPORTBOT, http_get, service_env, write_config
from tests.support.raw_http import raw_request
from tests.support.smtp_sink import SmtpSink, free_port

WEBHOOK_SECRET = "portal-secret-for-the-run-test"
MIB = 1024 * 1024


def test_run_serves_ops_apart_without_banner_and_refuses_unsigned_webhooks_before_reading(tmp_path):
    sink = SmtpSink().start()
    http_port, ops_port = free_port(), free_port()
    config = write_config(tmp_path, sink_port=sink.port, ingress_port=free_port(), http_port=http_port,
                          ops_port=ops_port)
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as stderr:
        process = subprocess.Popen([str(SUPPORTBOT), "--config", str(config), "--log-format", "json", "run"],
                                   stdout=subprocess.DEVNULL, stderr=stderr,
                                   env=service_env() | {"SUPPORTBOT_PORTAL_WEBHOOK_SECRET": WEBHOOK_SECRET})
    try:
        poll_until(lambda: http_get(ops_port, "/healthz")[0] == 200, timeout=30, what="/healthz on the ops port")
        assert http_get(http_port, "/healthz")[0] == 404 and http_get(http_port, "/metrics")[0] == 404
        assert http_get(ops_port, "/metrics")[0] == 200

        async def attacks():
            unsigned = raw_request(http_port, "POST", "/portal/cases", [("Content-Type", "application/json")],
                                   b'{"case_id": "P-1"', content_length=60 * MIB, timeout=5)
            odd_digits = raw_request(http_port, "POST", "/portal/cases",
                                     [("X-Portal-Timestamp", "١٧٧٣١٣٤١٠٠"), ("X-Portal-Signature", "v1=" + "0" * 64)],
                                     b"{", content_length=60 * MIB, timeout=5)
            return await asyncio.gather(unsigned, odd_digits, raw_request(ops_port, "GET", "/healthz"))

        started = time.monotonic()
        unsigned, odd_digits, health = asyncio.run(attacks())
        assert (unsigned.status, odd_digits.status) == (401, 401)
        assert time.monotonic() - started < 5  # answered without the 60 MiB ever being sent
        for response in (unsigned, odd_digits, health):
            assert "server" not in response.headers
        assert json.loads(health.body)["components"]["ops"]["up"] is True
    finally:
        process.terminate()
        process.wait(15)
        sink.stop()
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    refusals = [r for r in records if r["message"].startswith("portal webhook refused (401")]
    assert len(refusals) == 2 and all(r["level"] == "WARNING" for r in refusals)
    assert [r for r in records if r["level"] in ("ERROR", "CRITICAL")] == []
    assert any(r["message"].startswith(f"ops listening on 127.0.0.1:{ops_port} (/healthz, /metrics)") for r in records)
