"""0 of 7 secrets in logs, metrics, health, CLI output or a database dump (issue 16: what held, kept holding).

`supportbot run` with every secret in the environment and each one used: the IMAP
password logs into Dovecot, the SMTP password authenticates to the relay (an
aiosmtpd sink with AUTH), the bot token posts to the recording Slack stand-in,
the signing secret verifies a signed Slack request, the portal secret checks a
(bad) webhook signature, the desk key signs links; the app token is configured.
Then the service log, /metrics, /healthz, the output of the operator's commands
and the whole SQLite dump are searched for each secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import time
import urllib.request

from bot.devtools.slack_standin import SlackStandin
from tests.handlers.conftest import mail
from tests.proofs.harness import SUPPORT, SUPPORTBOT, DeskConfig, ServiceProcess, http_get, poll_until, \
    prepare_database, send_smtp
from tests.support.imap_server import start_imap_server
from tests.support.smtp_sink import SmtpSink

SECRETS = {
    "SUPPORTBOT_IMAP_PASSWORD": "imap-pw-7f3a91c2",
    "SUPPORTBOT_SMTP_PASSWORD": "smtp-pw-58d1e0b4",
    "SUPPORTBOT_SLACK_BOT_TOKEN": "xoxb-secret-bot-2b6c9e11",
    "SUPPORTBOT_SLACK_APP_TOKEN": "xapp-secret-app-90aa4d7e",
    "SUPPORTBOT_SLACK_SIGNING_SECRET": "signing-secret-c41f0d2a",
    "SUPPORTBOT_PORTAL_WEBHOOK_SECRET": "portal-secret-e9b37a55",
    "SUPPORTBOT_DESK_SECRET_KEY": "desk-secret-key-1d8f6b03",
}


class SecretDesk(DeskConfig):
    """The harness's desk with all seven secrets (and the SMTP login) in the environment."""

    def environment(self) -> dict[str, str]:
        return {**super().environment(), **SECRETS}


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_no_secret_reaches_logs_metrics_cli_output_or_the_database(tmp_path):
    imap = start_imap_server(tmp_path / "imap", users={"support": SECRETS["SUPPORTBOT_IMAP_PASSWORD"]})
    sink = SmtpSink(credentials=("relay", SECRETS["SUPPORTBOT_SMTP_PASSWORD"])).start()
    standin = SlackStandin(tokens=[SECRETS["SUPPORTBOT_SLACK_BOT_TOKEN"]]).start()
    config = SecretDesk(tmp_path / "desk", smtp_relay_port=sink.port, imap=imap, slack_base_url=standin.base_url,
                        slack_token=SECRETS["SUPPORTBOT_SLACK_BOT_TOKEN"],
                        sections={"smtp": {"username": "relay"}, "portal": {"new_case_policy": "portal"}})
    config.workdir.mkdir(parents=True)
    prepare_database(config.db_url)
    service = ServiceProcess(config).start()
    outputs: list[str] = []
    try:
        service.wait_healthy()
        send_smtp(config.ingress_port, mail(sender="Kim <kim@elsewhere.example>", subject="Licenser"),
                  "kim@elsewhere.example", [SUPPORT])
        imap.append("INBOX", mail(sender="Lo <lo@elsewhere.example>", subject="Fråga"))
        sink.wait_for(2, timeout=30)  # both answers went through SMTP AUTH
        poll_until(lambda: len(standin.calls("chat.postMessage")) >= 2, timeout=30, what="two inquiry notices")
        body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()
        stamp = str(int(time.time()))
        signature = "v0=" + hmac.new(SECRETS["SUPPORTBOT_SLACK_SIGNING_SECRET"].encode(), f"v0:{stamp}:".encode()
                                     + body, hashlib.sha256).hexdigest()
        assert post(config.http_port, "/slack/events", body, {
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature}) == 200
        assert post(config.http_port, "/portal/cases", b"{}", {
            "Content-Type": "application/json", "X-Portal-Timestamp": stamp,
            "X-Portal-Signature": "sha256=" + "0" * 64}) == 401
        outputs += [service.metrics(), http_get(config.http_port, "/healthz")[1].decode()]
    finally:
        service.stop()
        standin.stop()
        sink.stop()
        imap.close()
    for argv in (["config", "check"], ["db", "current"], ["outbox", "list"], ["mail", "quarantine", "list"],
                 ["oncall", "list"], ["survey", "report"], ["run", "--help"]):
        result = subprocess.run([str(SUPPORTBOT), "--config", str(service.config_path), "-v", *argv],
                                capture_output=True, text=True, timeout=60, env=config.environment())
        outputs.append(result.stdout + result.stderr)
    with sqlite3.connect(config.db_path) as connection:
        outputs.append("\n".join(connection.iterdump()))
    outputs += [service.log_text(), service.config_path.read_text()]

    assert all(outputs) and "chat.postMessage" not in outputs  # each place was really read
    leaks = {name: [n for n, text in enumerate(outputs) if value in text] for name, value in SECRETS.items()}
    assert leaks == dict.fromkeys(SECRETS, [])
