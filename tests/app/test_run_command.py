"""`supportbot run` as a subprocess, over real protocols: SMTP in, SMTP out, HTTP, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from storage import migrate
from storage.db import make_engine
from tests.support.service_loop import poll_until
from tests.support.smtp_sink import SmtpSink, free_port

SUPPORTBOT = Path(sys.executable).parent / "supportbot"
GRACE_S = 5.0
SECRET_KEY = "desk-secret-that-must-not-be-logged"


def http_get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def write_config(tmp_path: Path, *, sink_port: int, ingress_port: int, http_port: int, ops_port: int,
                 extra: str = "") -> Path:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    path = tmp_path / "supportbot.toml"
    path.write_text(f"""
[desk]
attachments_dir = "{tmp_path / 'attachments'}"
shutdown_grace_s = {GRACE_S}
[database]
url = "{url}"
[smtp]
host = "127.0.0.1"
port = {sink_port}
timeout_s = 5.0
[smtp_ingress]
enabled = true
port = {ingress_port}
[http]
port = {http_port}
[ops]
port = {ops_port}
{extra}""")
    return path


def service_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTBOT_")}
    env["SUPPORTBOT_DESK_SECRET_KEY"] = SECRET_KEY
    return env


def unknown_sender_mail() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Kim Stranger <kim@elsewhere.example>"
    message["To"] = "support@example.com"
    message["Subject"] = "Question about licences"
    message["Message-ID"] = make_msgid(domain="elsewhere.example")
    message.set_content("Hello, how many licences do we have?")
    return message


def test_run_answers_an_unknown_sender_reports_health_and_metrics_and_stops_on_sigterm(tmp_path):
    sink = SmtpSink().start()
    ingress_port, http_port, ops_port = free_port(), free_port(), free_port()
    config = write_config(tmp_path, sink_port=sink.port, ingress_port=ingress_port, http_port=http_port,
                          ops_port=ops_port)
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen([str(SUPPORTBOT), "--config", str(config), "--log-format", "json", "run"],
                                   stdout=subprocess.DEVNULL, stderr=stderr, env=service_env())
    try:
        poll_until(lambda: http_get(ops_port, "/healthz")[0] == 200, timeout=30, what="/healthz answering 200")
        mail = unknown_sender_mail()
        with smtplib.SMTP("127.0.0.1", ingress_port, timeout=10) as client:
            client.send_message(mail)

        [(_from, recipients, _raw)] = sink.wait_for(1, timeout=15)
        answer = sink.parsed(0)
        assert recipients == ["kim@elsewhere.example"]
        assert answer["X-Supportbot-Id"].strip() == f"auto:{mail['Message-ID']}:unknown_sender"

        status, body = http_get(ops_port, "/healthz")
        health = json.loads(body)
        assert status == 200 and health["status"] == "ok"
        assert {name: c["up"] for name, c in health["components"].items()} == {
            "intake": True, "outbox": True, "smtp_ingress": True, "http": True, "ops": True, "auto_close": True,
            "sla_monitor": True, "retention": True}
        assert "imap" in health["disabled"]

        # The sink has the answer a moment before the worker marks its row sent.
        settled = ('supportbot_messages_received_total{channel="email",outcome="processed"} 1.0',
                   "supportbot_outbox_depth 0.0")
        metrics = poll_until(lambda: _text_with(http_get(ops_port, "/metrics")[1].decode(), settled),
                             what="the processed mail counted and the outbox empty in /metrics")
        for line in ('supportbot_mail_stored_total{source="smtp"} 1.0',
                     "supportbot_outbox_oldest_age_seconds 0.0", 'supportbot_tickets{status="new"} 0.0',
                     "supportbot_sla_warnings_total 0.0", "supportbot_sla_breaches_total 0.0",
                     "# TYPE supportbot_slack_api_errors_total counter",
                     'supportbot_component_restarts_total{component="intake"} 0.0',
                     'supportbot_component_up{component="smtp_ingress"} 1.0', "supportbot_database_up 1.0"):
            assert line in metrics, line

        asked_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=GRACE_S + 5) == 0
        assert time.monotonic() - asked_at < GRACE_S
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        sink.stop()

    lines = [json.loads(line) for line in stderr_path.read_text().splitlines() if line.strip()]
    messages = [entry["message"] for entry in lines]
    assert f"{mail['Message-ID']} processed: unknown sender kim@elsewhere.example; " \
           f"send unknown_sender (sv) to kim@elsewhere.example" in messages
    assert "SIGTERM received, shutting down" in messages and messages[-1] == "stopped"
    assert SECRET_KEY not in stderr_path.read_text()


def _text_with(text: str, wanted: tuple[str, ...]) -> str | None:
    return text if all(line in text for line in wanted) else None


def test_run_refuses_a_database_that_is_not_upgraded(tmp_path):
    (tmp_path / "empty.db").touch()
    env = {"SUPPORTBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "SUPPORTBOT_DESK_SECRET_KEY": SECRET_KEY}
    result = CliRunner().invoke(main, ["run"], env=env)
    assert result.exit_code == 2  # not restarted by systemd: it fails the same way until someone upgrades
    assert "database schema is at empty" in result.output and "supportbot db upgrade" in result.output
