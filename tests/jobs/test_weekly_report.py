"""The weekly report post: due at Monday's opening, queued once per week by any number of racing replicas,
delivered as one Slack message with the chart uploaded into it."""

from __future__ import annotations

import random
import threading
from datetime import date

import pytest
from sqlalchemy import select

from bot.app.config import Settings
from bot.devtools.slack_standin import SlackStandin
from bot.domain.hours.calendar import BusinessCalendar
from bot.jobs.outbox import by_kind
from bot.jobs.outbox_worker import OutboxWorker
from bot.jobs.weekly_report import WeeklyReport, post_due_at
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.report import ReportDeliverer
from storage.models import OutboxRow
from tests.desk.report_week import local, seed_week

REPORTS = "C0REPORTS"


def settings_for(standin: SlackStandin | None = None) -> Settings:
    slack = {"enabled": True, "staff_channel": "C0STAFF", "min_post_interval_s": 0}
    if standin is not None:
        slack.update(bot_token=standin.token, api_base_url=standin.base_url)
    return Settings.model_validate({"slack": slack, "report": {"channel": REPORTS}})


def rows(session_factory) -> list[OutboxRow]:
    with session_factory() as session:
        return list(session.execute(select(OutboxRow).where(OutboxRow.kind == "slack.report")).scalars())


def test_due_at_the_desks_first_opening_of_the_week():
    calendar = BusinessCalendar()
    assert post_due_at(date(2026, 3, 16), calendar) == local(2026, 3, 16, 9, 0)
    assert post_due_at(date(2026, 4, 6), calendar) == local(2026, 4, 7, 9, 0)  # Easter Monday: Tuesday 09:00
    assert post_due_at(date(2026, 5, 11), calendar) == local(2026, 5, 11, 9, 0)


def test_nothing_before_the_opening_then_once(session_factory):
    seed_week(session_factory)
    at = [local(2026, 3, 16, 8, 59)]
    job = WeeklyReport(session_factory, settings_for(), BusinessCalendar(), lambda: at[0])
    assert job.tick() is None and rows(session_factory) == []
    at[0] = local(2026, 3, 16, 9, 0)
    assert job.tick() == "weekly report for 2026-W11 queued"
    at[0] = local(2026, 3, 18, 14, 0)
    assert job.tick() is None  # said once; the row is there
    [row] = rows(session_factory)
    assert row.idempotency_key == "report.weekly:2026-W11" and row.payload["channel"] == REPORTS
    assert row.payload["week"] == "2026-W11" and row.payload["chart"]["weeks"][-1] == "2026-W11"
    # A new process (a restart) finds the row and says so once.
    again = WeeklyReport(session_factory, settings_for(), BusinessCalendar(), lambda: at[0])
    assert again.tick() == "weekly report for 2026-W11 already queued" and len(rows(session_factory)) == 1


def test_two_replicas_racing_at_the_opening_queue_one_post(session_factory):
    """On PostgreSQL too (the db_url fixture runs both back ends): the unique key decides."""
    seed_week(session_factory)
    start = threading.Barrier(2)
    said: list[str | None] = []

    def replica():
        job = WeeklyReport(session_factory, settings_for(), BusinessCalendar(), lambda: local(2026, 3, 16, 9, 0, 5))
        start.wait()
        said.append(job.tick())

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(rows(session_factory)) == 1
    assert sorted(said, key=str) in (
        ["weekly report for 2026-W11 already queued", "weekly report for 2026-W11 queued"],
        ["weekly report for 2026-W11 queued", "weekly report for 2026-W11 queued by another replica"])


def test_the_post_is_one_message_with_three_figures_and_the_chart(session_factory):
    seed_week(session_factory)
    clock = lambda: local(2026, 3, 16, 9, 5)  # noqa: E731
    with SlackStandin() as standin:
        settings = settings_for(standin)
        WeeklyReport(session_factory, settings, BusinessCalendar(), clock).tick()
        client = make_sync_web_client(settings.slack, wait_in_client=False)
        worker = OutboxWorker(session_factory, by_kind(ReportDeliverer(settings, client, BusinessCalendar(), clock)),
                              clock, worker_id="w", rng=random.Random(0))
        assert worker.run_once() == 1 and worker.run_once() == 0
        [upload] = standin.uploaded_files()
        [message] = standin.messages(REPORTS)
    assert upload["completed"] and upload["content"][:8] == b"\x89PNG\r\n\x1a\n" and upload["filename"] == \
        "supportbot-2026-W11.png"
    assert upload["title"].replace("\u00a0", " ") == "66,7 % av ärendena fick svar inom 2 arbetstimmar, under målet på 90 %"
    lines = message["text"].replace("\u00a0", " ").splitlines()  # Babel's Swedish "66,7 %" has a no-break space
    assert lines[0] == "*Supportrapport vecka 11, 9–15 mars 2026*"
    assert lines[1:] == ["• 66,7 % fick svar inom 2 arbetstimmar (4 av 6; mål 90 %)",
                         "• Median till första svar: 30 arbetsminuter (p90 150)",
                         "• Medelbetyg 3,67 av 5 (3 svar; 100 % av de avslutade svarade)"]
    [row] = rows(session_factory)
    assert row.state == "sent" and row.result["file_id"] == upload["id"]


def test_the_post_speaks_the_desks_default_language(session_factory):
    seed_week(session_factory)
    settings = Settings.model_validate({"slack": {"enabled": True, "staff_channel": "C0STAFF"},
                                        "desk": {"default_language": "en"}})
    WeeklyReport(session_factory, settings, BusinessCalendar(), lambda: local(2026, 3, 16, 9, 0)).tick()
    [row] = rows(session_factory)
    assert row.payload["channel"] == "C0STAFF" and row.payload["lang"] == "en"  # no report.channel: the staff's
    assert row.payload["text"].splitlines() == ["*Support report week 11, 9–15 March 2026*",
                                                "• 66.7% answered within 2 business hours (4 of 6; goal 90%)",
                                                "• Median to first response: 30 business minutes (p90 150)",
                                                "• Average rating 3.67 of 5 (3 answers; 100% of closed cases answered)"]
    assert row.payload["chart"]["title"] == "66.7% of cases answered within 2 business hours, below the goal of 90%"
