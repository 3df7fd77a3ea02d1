"""The weekly report post through the real service, across a restart: `supportbot run` twice on one database,
its wall clock set to Monday's opening with libfaketime (as tests/jobs/test_sla_restarts.py does).

The first run posts the week (one message, the chart uploaded into it); the second, started later the same
morning, finds the post queued and posts nothing. Its /metrics shows the first-response histogram.
"""

from __future__ import annotations

import os

import pytest

from bot.devtools.slack_standin import SlackStandin
from storage.db import make_engine, make_session_factory
from tests.desk.report_week import local, seed_week
from tests.proofs.harness import DeskConfig, ServiceProcess, metric_value, poll_until, prepare_database
from tests.jobs.test_sla_restarts import LIBFAKETIME, faked_clock
from tests.support.smtp_sink import SmtpSink

REPORTS = "C0REPORTS"


@pytest.fixture
def service(tmp_path):
    if LIBFAKETIME is None:
        message = "libfaketime is not installed (Debian: apt-get install libfaketime; CI runs .ci/install-faketime.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sink = SmtpSink().start()
    with SlackStandin() as standin:
        config = DeskConfig(tmp_path / "desk", sink.port, slack_base_url=standin.base_url, slack_token=standin.token,
                            sections={"report": {"channel": REPORTS}})
        config.workdir.mkdir(parents=True)
        prepare_database(config.db_url)
        engine = make_engine(config.db_url)
        seed_week(make_session_factory(engine))
        engine.dispose()
        process = ServiceProcess(config)
        try:
            yield process, standin
        finally:
            process.kill()
            sink.stop()


def test_the_week_is_posted_once_across_a_restart(service):
    process, standin = service
    process.start(faked_clock(local(2026, 3, 16, 9, 0, 10)))
    process.wait_healthy()
    standin.wait_for("files.completeUploadExternal", 1, timeout=60)
    [message] = standin.messages(REPORTS)
    assert message["text"].startswith("*Supportrapport vecka 11, 9–15 mars 2026*")
    assert len(message["text"].splitlines()) == 4 and message["files"][0]["name"] == "supportbot-2026-W11.png"
    assert standin.uploaded_files()[0]["content"][:4] == b"\x89PNG"
    metrics = process.metrics()
    # The week's five first responses (2, 10, 30, 90 and 150 business minutes) and W10's two (20, 45).
    assert metric_value(metrics, 'supportbot_first_response_business_minutes_bucket{le="30.0"}') == 4
    assert metric_value(metrics, 'supportbot_first_response_business_minutes_bucket{le="120.0"}') == 6
    assert metric_value(metrics, "supportbot_first_response_business_minutes_count") == 7
    assert process.stop() == 0

    process.start(faked_clock(local(2026, 3, 16, 9, 20)))
    process.wait_healthy()
    poll_until(lambda: "weekly report for 2026-W11 already queued" in process.log_text(), timeout=30,
               what="the second run's weekly report check")
    assert process.stop() == 0
    assert len(standin.calls("files.completeUploadExternal")) == 1 and len(standin.uploaded_files()) == 1
    assert process.log_text().count("weekly report for 2026-W11 queued") == 1
