"""The weekly report post: Monday at the desk's opening, once per ISO week, whatever restarts and replicas do.

The post for a week is due at the first opening on or after the Monday after it
(the desk calendar of bot/domain/hours: an Easter Monday moves it to Tuesday
09:00). Every replica looks every minute; the post is one outbox row under the
key ``report.weekly:<ISO week>``, unique in the table, so of two replicas racing
and of a run before and after a restart exactly one row is written, and the
outbox delivers it once (``slack.report``, bot/slack/deliverers/report.py). A
service that was down on Monday posts when it is back, within the same week.
The figures are fixed when the row is written: the post says what the report
said at the opening.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.reports import Period, build_report
from bot.desk.reports.period import last_full_week, week_label
from bot.rendering.charts import post_payload
from storage.models import OutboxRow
from storage.repositories import outbox

log = logging.getLogger("supportbot.report")

KIND = "slack.report"
CHECK_INTERVAL_S = 60.0


def post_key(week: str) -> str:
    return f"report.weekly:{week}"


def post_due_at(monday: date, calendar) -> datetime:
    """When the post for the week before ``monday`` is due: the desk's first opening from that Monday on."""
    return calendar.next_opening(datetime.combine(monday, time(0), calendar.tz))


class WeeklyReport:
    """The job's one tick (run it every ``CHECK_INTERVAL_S`` on every replica)."""

    def __init__(self, sessions: sessionmaker[Session], settings, calendar, clock: Callable[[], datetime]):
        self._sessions = sessions
        self._settings = settings
        self._calendar = calendar
        self._clock = clock
        self._told: str | None = None  # the week this process last logged about

    def tick(self) -> str | None:
        """Queue last week's post when it is due and not queued yet; a line to log once per week, else None."""
        now = self._clock()
        first, last = last_full_week(now, self._calendar.tz)
        week = week_label(first)
        if now < post_due_at(last + timedelta(days=1), self._calendar):
            return None
        with self._sessions() as session:
            if session.execute(select(OutboxRow.id).where(OutboxRow.idempotency_key == post_key(week))).first():
                return self._once(week, f"weekly report for {week} already queued")
            created = outbox.enqueue(session, KIND, post_key(week), self._payload(session, first, last, now), now)
            session.commit()
        return self._once(week, f"weekly report for {week} queued" if created
                          else f"weekly report for {week} queued by another replica")

    def _payload(self, session: Session, first: date, last: date, now: datetime) -> dict:
        settings = self._settings
        period = Period(first, last, self._calendar.tz, settings.report.trend_weeks)
        report = build_report(session, settings, self._calendar, period, now)
        return post_payload(report, settings.desk.default_language,
                            settings.report.channel or settings.slack.staff_channel)

    def _once(self, week: str, line: str) -> str | None:
        if self._told == week:
            return None
        self._told = week
        return line
