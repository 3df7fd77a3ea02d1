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

from tests.support.service_loop import poll_until

SUPPORTBOT = Path(sys.executable).parent / "supportbot"


def demo_env() -> dict[str, str]:
    # The demo ignores SUPPORTBOT_* on purpose; a stray one must not matter either.
    return {**os.environ, "SUPPORTBOT_DATABASE_URL": "sqlite:////nonexistent/never-touched.db"}


# What each step prints between its header and the next one, in README's numbering. Effects
# that arrive from two servers (the SMTP sink, the Slack stand-in) may interleave, so the
# order is checked where it is fixed: the header first, the step's own result line last.
STEPS = {
    1: ("A new case by mail from a registered contact",
        ["📧 to asa@vasterby.example : Registrera ditt ärende i kundportalen: Exporten till Excel stannar på 80 %",
         "📨 New case by e-mail from Åsa Andersson (asa@vasterby.example) · Västerby kommun"],
        "      → processed: new case from registered contact asa@vasterby.example"),
    2: ("A mail from an unknown sender",
        ["📧 to kim@elsewhere.example : Vi kunde inte ta emot ditt meddelande: Fråga om licenser",
         "📨 New case by e-mail from Kim Okänd (kim@elsewhere.example)"],
        "      → processed: unknown sender kim@elsewhere.example"),
    3: ("An out-of-office auto-reply", [], "      → dropped: automatic mail (Auto-Submitted: auto-replied)"),
    4: ("A reply on ticket TC-2026-00001 during opening hours",
        ["== TC-2026-00001 · Export to Excel stops at 80 % ==", "Assignee: unassigned",
         "      📧 John Smith <john@vasterby.example> wrote by e-mail:"],
        "      → processed: matched TC-2026-00001 by subject"),
    5: ("A reply on ticket TC-2026-00001 out of hours",
        ["📧 to john@vasterby.example : [TC-2026-00001] We have received your message: Export to Excel stops at 80 %",
         "    > One more thing: the CSV export stops too."],
        "      → processed: matched TC-2026-00001 by subject"),
    6: ("A case registered in the customer portal",
        ["      → POST /portal/cases (signed) → 201 {'reference': 'TC-2026-00302', 'created': True}",
         "📧 to asa@vasterby.example : [TC-2026-00302] Vi har tagit emot ditt ärende: Installation av ny version på "
         "testservern", "== TC-2026-00302 · Installation av ny version på testservern ==",
         "      🌐 Åsa Andersson <asa@vasterby.example> wrote in the portal:"],
        "      → sent: case_received"),
    7: ("Anna Lind replies from the card",
        ["      → POST /slack/events (view_submission, signed) → 200", "👁 #C0DEMOSTAFF (only @Anna Lind sees this)",
         "📧 to asa@vasterby.example : [TC-2026-00302] Installation av ny version på testservern",
         "Status: Waiting on customer", "      📤 sent to customer by @Anna Lind"],
        "      → sent: agent_reply"),
    8: ("Anna Lind closes the case from the card",
        ["      → POST /slack/events (view_submission: Priority and status → Closed, signed) → 200",
         "      → POST /slack/events (block_actions: Close TC-2026-00302, signed) → 200",
         "📧 to asa@vasterby.example : [TC-2026-00302] Ditt ärende är avslutat: Installation av ny version på testservern",
         "📧 to asa@vasterby.example : [TC-2026-00302] Hur nöjd är du med vår hjälp?",
         "== ✅ TC-2026-00302 · Installation av ny version på testservern ==", "      🔖 status → closed by @Anna Lind",
         "      → GET the link → 200: the form, rating 5 chosen; nothing is recorded until it is sent (POST)"],
        "      → sent: status_closed, survey_invitation"),
}
HEADER = re.compile(r"^\[(\d)/8\] \w{3} \d\d \w{3} 2026 \d\d:\d\d \(desk (?:open|closed until [^)]*)\) — (.*)$")


def steps_of(out: str) -> dict[int, tuple[str, list[str]]]:
    """Step number → (title, the lines printed under it until the next step or the health check)."""
    steps, current = {}, None
    for line in out.splitlines():
        if line.startswith("GET http://"):
            break
        if match := HEADER.match(line):
            current = int(match.group(1))
            steps[current] = (match.group(2), [])
        elif current is not None and line:
            steps[current][1].append(line)
    return steps


def test_demo_once_prints_each_effect_under_its_step_and_the_summary(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "supportbot.db").write_bytes(b"left over from an earlier run")
    result = subprocess.run([str(SUPPORTBOT), "demo", "--once"], cwd=tmp_path, env=demo_env(),
                            capture_output=True, timeout=90)
    out = result.stdout.decode("utf-8", "replace")
    assert result.returncode == 0, out + result.stderr.decode("utf-8", "replace")
    assert "✗" not in out
    printed = steps_of(out)
    assert sorted(printed) == list(STEPS)
    for number, (title, effects, outcome) in STEPS.items():
        shown_title, lines = printed[number]
        assert shown_title == title
        for effect in effects:
            assert effect in lines, (number, effect, lines)
        assert lines[-1].startswith(outcome), (number, lines[-1])
    assert not [line for line in printed[3][1] if line.startswith(("📧", "#C0", "✎"))]  # dropped: nothing sent
    link = next(line for line in printed[8][1] if line.startswith("      🔗 the survey page: "))
    assert re.fullmatch(r"      🔗 the survey page: http://127\.0\.0\.1:\d+/survey\?t=\S+&r=5", link)
    # A card is printed once per change: TC-2026-00001's update in step 5 changed nothing visible.
    assert out.count("· Export to Excel stops at 80 % ==") == 1
    assert out.count("· Installation av ny version på testservern ==") == 3  # posted, waiting, closed
    # mrkdwn rendered, not shown raw (no terminal here: the markers are dropped).
    assert "*New case" not in out and "_unassigned_" not in out and "<@U0DEMO" not in out
    for line in ("  tickets        2  (TC-2026-00001 open, TC-2026-00302 closed)",
                 "  inquiries      2  (new_case 1, unknown_sender 1)",
                 "  mails sent     7  (agent_reply 1, case_received 1, out_of_hours 1, portal_redirect 1, "
                 "status_closed 1, survey_invitation 1, unknown_sender 1)",
                 "  autoreplies    4  (case_received 1, out_of_hours 1, portal_redirect 1, unknown_sender 1)",
                 "  ignored        1  (automatic mail (Auto-Submitted: auto-replied))",
                 "  quarantined    0"):
        assert line in out.splitlines(), line
    assert "→ 200 ok" in out
    # The sample history went in through `ticket import`'s code; the new card carries its similar solved cases.
    assert "300 past cases imported from" in out
    card = out[out.index("· Installation av ny version på testservern =="):]
    similar = card[card.index("Similar solved cases"):].splitlines()[1:4]
    assert all("TC-2026-" in line and "Uppgradering av testservern till ny version — Ta backup" in line
               for line in similar), similar
    # It ends with the report of its sample history: the week before the scenario, eight weeks of trend.
    written = Path(re.search(r"^  report       (/\S+\.html) ", out, re.M).group(1))
    assert written == tmp_path / "demo" / "report-2026-03-02-2026-03-08.html"
    page = written.read_text(encoding="utf-8")
    assert "<h1>Supportrapport vecka 10, 2–8 mars 2026</h1>" in page and page.count('<figure class="chart"') == 11
    assert "<script" not in page
    sent = mailbox.Maildir(tmp_path / "demo" / "sent", create=False)
    assert sorted(msg["To"] for msg in sent) == ["asa@vasterby.example"] * 5 + ["john@vasterby.example",
                                                                               "kim@elsewhere.example"]


def test_the_demo_settings_pass_the_configuration_rules(tmp_path):
    from bot.app.config_rules import problems
    from bot.demo.desk import Ports, demo_settings

    settings = demo_settings(tmp_path, Ports(8025, 8080, 8081, 2525), "http://127.0.0.1:9/api/")
    assert [str(p) for p in problems(settings)] == [
        "http.public_base_url: http://127.0.0.1:8080/ is on loopback: the close and survey links in customers' "
        "mail will not open for them"]


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
        poll_until(lambda: "📧 to you@example.org : " in output(), timeout=60, what="the answer to your own mail")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert output().rstrip().endswith(f"⏹  Stopped: the desk shut down. Its database, log and sent mail stay "
                                          f"in {tmp_path / 'd'}.")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
