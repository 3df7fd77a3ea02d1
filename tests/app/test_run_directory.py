"""The directory and the roster on the real service: `supportbot run`, `directory import`, the portal's events.

One `supportbot run` with the SMTP ingress, the public HTTP listener and the Slack
desk against the recording stand-in. Agents arrive from the line user groups at
start; a stranger's mail gets the unknown-sender answer until the directory is
imported with the real CLI, after which the same person gets the portal answer;
the portal's signed events register a new contact and then de-authorise the
first, whose next mail is answered as a stranger's again and whose inquiry notice
says so.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from bot.devtools.slack_standin import SlackStandin
from bot.web.portal.signature import sign
from storage.db import make_engine, make_session_factory
from storage.models import Agent
from tests.proofs.harness import SECRETS, SUPPORT, SUPPORTBOT, DeskConfig, ServiceProcess, poll_until, \
    prepare_database, send_smtp
from tests.support.smtp_sink import SmtpSink

CSV = """customer_number;organisation;email;name;role;language;authorised
1001;Västerby kommun;kim@vasterby.example;Kim Berg;IT-ansvarig;en;ja
"""


def new_case(sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, SUPPORT, "New question"
    mail["Message-ID"] = make_msgid(domain="vasterby.example")
    mail.set_content("How do we add a user?")
    return mail


def post_events(port: int, payload, *, signed: bool = True) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json"}
    if signed:
        headers |= {"X-Portal-Timestamp": timestamp,
                    "X-Portal-Signature": sign(SECRETS["SUPPORTBOT_PORTAL_WEBHOOK_SECRET"], timestamp, body)}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/portal/directory", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_imported_and_portal_registered_contacts_get_the_portal_answer_on_the_running_service(tmp_path):
    sink = SmtpSink().start()
    standin = SlackStandin(users={"U0ANNA0001": {"email": "anna@vendor.example", "real_name": "Anna Lind"},
                                  "U0ERIK0001": {"email": "erik@vendor.example", "real_name": "Erik Berg"}},
                           usergroups={"S0FIRSTLINE": ["U0ANNA0001"], "S0SECONDLN": ["U0ERIK0001"]}).start()
    config = DeskConfig(tmp_path / "desk", sink.port, slack_base_url=standin.base_url, slack_token=standin.token,
                        sections={"portal": {"new_case_policy": "portal"},
                                  "desk": {"autoreply_window_hours": 0.000001},  # 3.6 ms: one answer per mail here
                                  "slack": {"line_usergroups": {"1": "S0FIRSTLINE", "2": "S0SECONDLN"}}})
    (tmp_path / "desk").mkdir()
    prepare_database(config.db_url)
    service = ServiceProcess(config).start()
    engine = make_engine(config.db_url)
    sessions = make_session_factory(engine)
    answers = []

    def answered(sender: str) -> str:
        send_smtp(config.ingress_port, new_case(sender).as_bytes(), sender, [SUPPORT])
        sink.wait_for(len(answers) + 1, timeout=20)
        answers.append(sink.parsed(len(answers))["X-Supportbot-Id"].rsplit(":", 1)[1])
        return answers[-1]

    try:
        service.wait_healthy()
        agents = poll_until(lambda: _agents(sessions) if len(_agents(sessions)) == 2 else None,
                            what="the agents synced from the line groups at start")
        assert agents == {"anna@vendor.example": (1, True), "erik@vendor.example": (2, True)}

        assert answered("kim@vasterby.example") == "unknown_sender"
        imported = subprocess.run([str(SUPPORTBOT), "--config", str(service.config_path), "directory", "import",
                                   str(_write(tmp_path / "directory.csv", CSV))],
                                  capture_output=True, text=True, env=config.environment(), timeout=60)
        assert imported.returncode == 0, imported.stderr
        assert imported.stdout.splitlines()[:2] == ["organisations: 1 created, 0 updated",
                                                    "contacts: 1 created, 0 updated, 0 deauthorised, 0 unchanged"]
        assert answered("kim@vasterby.example") == "portal_redirect"

        status, result = post_events(config.http_port, {"events": [
            {"id": "evt-1", "type": "organisation.upserted", "occurred_at": "2026-03-10T09:00:00Z",
             "data": {"customer_number": "2002", "name": "Östra Skolan"}},
            {"id": "evt-2", "type": "contact.upserted", "occurred_at": "2026-03-10T09:00:01Z",
             "data": {"email": "bo@ostra.example", "customer_number": "2002", "name": "Bo Ek",
                      "role": "huvudadministratör", "language": "sv"}}]})
        assert status == 200 and [r["status"] for r in result["results"]] == ["applied", "applied"]
        assert answered("bo@ostra.example") == "portal_redirect"

        status, result = post_events(config.http_port, {
            "id": "evt-3", "type": "contact.deactivated", "occurred_at": "2026-03-10T09:00:02Z",
            "data": {"email": "kim@vasterby.example"}})
        assert status == 200 and result == {"results": [{"id": "evt-3", "status": "applied"}]}
        assert answered("kim@vasterby.example") == "unknown_sender"
        notices = poll_until(lambda: [c for c in standin.calls("chat.postMessage")
                                      if "kim@vasterby.example" in json.dumps(c.params)][2:] or None,
                             what="the notice of Kim's third inquiry")
        assert "no longer authorised" in json.dumps(notices[0].params, ensure_ascii=False)

        status, result = post_events(config.http_port, {"id": "evt-4", "type": "contact.deactivated",
                                                        "occurred_at": "2026-03-10T09:00:03Z",
                                                        "data": {"email": "bo@ostra.example"}}, signed=False)
        assert (status, result) == (401, {"error": "invalid signature"})
        status, result = post_events(config.http_port, {"id": "evt-5", "type": "contact.upserted",
                                                        "occurred_at": "2026-03-10T09:00:04Z",
                                                        "data": {"email": "x", "customer_number": "2002"}})
        assert status == 422 and set(result["errors"]) == {"data.email", "data.name", "data.role", "data.language"}
        assert service.stop() == 0
        log = service.log_text()
        refusals = [line for line in log.splitlines() if "portal directory refused" in line]
        assert [line.split("refused ")[1].split(")")[0] for line in refusals] == [
            "(401 missing X-Portal-Timestamp or X-Portal-Signature",
            "(422 fields: data.email, data.language, data.name, data.role"]
        assert not any("bo@ostra.example" in line or "2002" in line for line in refusals)  # never the body
        assert "Traceback" not in log
    finally:
        service.kill()
        engine.dispose()
        standin.stop()
        sink.stop()


def _agents(sessions) -> dict[str, tuple[int, bool]]:
    with sessions() as session:
        return {a.email: (a.line, a.active) for a in session.execute(select(Agent)).scalars()}


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path
