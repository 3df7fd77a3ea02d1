"""`supportbot demo` as a subprocess: the scripted run, and the desk left running for your own mail."""

from __future__ import annotations

import mailbox
import os
import re
import signal
import smtplib
import subprocess
import sys
from pathlib import Path

from tests.service.conftest import poll_until

SUPPORTBOT = Path(sys.executable).parent / "supportbot"


def demo_env() -> dict[str, str]:
    # The demo ignores SUPPORTBOT_* on purpose; a stray one must not matter either.
    return {**os.environ, "SUPPORTBOT_DATABASE_URL": "sqlite:////nonexistent/never-touched.db"}


def test_demo_once_runs_the_scenario_and_prints_the_summary(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "supportbot.db").write_bytes(b"left over from an earlier run")
    result = subprocess.run([str(SUPPORTBOT), "demo", "--once"], cwd=tmp_path, env=demo_env(),
                            capture_output=True, timeout=90)
    out = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, out + result.stderr.decode("utf-8", "replace")
    assert "✗" not in out
    for line in ("  tickets        2  (TC-2026-00001 open, TC-2026-00302 waiting_on_customer)",
                 "  inquiries      2  (new_case 1, unknown_sender 1)",
                 "  mails sent     5  (agent_reply 1, case_received 1, out_of_hours 1, portal_redirect 1, "
                 "unknown_sender 1)",
                 "  autoreplies    4  (case_received 1, out_of_hours 1, portal_redirect 1, unknown_sender 1)",
                 "  ignored        1  (automatic mail (Auto-Submitted: auto-replied))",
                 "  quarantined    0"):
        assert line in out.splitlines(), line
    assert "📧 to asa@vasterby.example : Registrera ditt ärende i kundportalen" in out
    assert "→ 200 ok" in out
    # The portal's signed webhook and an agent's reply from the card, over the real protocols.
    assert "→ POST /portal/cases (signed) → 201 {'reference': 'TC-2026-00302', 'created': True}" in out
    assert "→ POST /slack/events (view_submission, signed) → 200" in out
    assert "📤 sent to customer by <@U0DEMOANNA>" in out
    assert "== 🔵 TC-2026-00302 · Installation av ny version på testservern ==" in out
    # The sample history went in through `ticket import`'s code; the new card carries its similar solved cases.
    assert "300 past cases imported from" in out
    card = out[out.index("== 🔵 TC-2026-00302 · Installation av ny version på testservern =="):]
    similar = card[card.index("*Similar solved cases*"):].splitlines()[1:4]
    assert all(line.startswith("• TC-2026-") and "Uppgradering av testservern till ny version — Ta backup" in line
               for line in similar), similar
    sent = mailbox.Maildir(tmp_path / "demo" / "sent", create=False)
    assert sorted(msg["To"] for msg in sent) == ["asa@vasterby.example"] * 3 + ["john@vasterby.example",
                                                                               "kim@elsewhere.example"]


def test_demo_keeps_running_answers_your_own_mail_and_stops_on_ctrl_c(tmp_path):
    out_path = tmp_path / "out.txt"
    with out_path.open("wb") as out:
        process = subprocess.Popen([str(SUPPORTBOT), "demo", "--dir", str(tmp_path / "d")], cwd=tmp_path,
                                   env=demo_env(), stdout=out, stderr=subprocess.STDOUT)
    output = lambda: out_path.read_bytes().decode("utf-8", "replace")  # noqa: E731
    try:
        text = poll_until(lambda: output() if "Send it your own mail" in output() else None, timeout=60,
                          what="the invitation to send your own mail")
        port = int(re.search(r"SMTP ingress on 127\.0\.0\.1:(\d+)", text).group(1))
        assert f"swaks --server 127.0.0.1:{port}" in text
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail("you@example.org", ["support@vendor.example"],
                            "From: you@example.org\nSubject: Hej\n\nTestar supportbot")
        poll_until(lambda: "📧 to you@example.org : " in output(), what="the answer to your own mail")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
