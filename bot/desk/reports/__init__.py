"""The desk's reports as a read model: one query per question, figures computed once, many readers.

`supportbot report` (HTML, PNG, JSON), the weekly Slack post, `supportbot sla
report` and `supportbot survey report` all read through here (the last two
through :mod:`bot.desk.reports.queries` and the same figure functions), so a
number means the same wherever it is shown. It lives in ``bot/desk`` because it
is the desk's view of its own tables, used by the CLI and by a job alike; the
charts that draw it are in ``bot/rendering/charts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.desk.reports import queries
from bot.desk.reports.backlog import Backlog, backlog
from bot.desk.reports.first_response import FirstResponse, first_response
from bot.desk.reports.period import Period
from bot.desk.reports.satisfaction import Satisfaction, satisfaction
from bot.desk.reports.volume import COME_BACK_DAYS, Volume, volume


@dataclass(frozen=True)
class Report:
    period: Period
    first_response: FirstResponse
    backlog: Backlog
    satisfaction: Satisfaction
    volume: Volume

    def as_dict(self) -> dict:
        """The figures the charts draw, JSON-able, in a stable order (`supportbot report --json`)."""
        p = self.period
        return {
            "period": {"from": p.first.isoformat(), "to": p.last.isoformat(), "timezone": p.tz.key,
                       "weeks": p.weeks(), "days_from": p.window_first.isoformat()},
            "first_response": self.first_response.as_dict(),
            "backlog": self.backlog.as_dict(),
            "satisfaction": self.satisfaction.as_dict(),
            "volume": self.volume.as_dict(),
        }


def build_report(session: Session, settings, calendar, period: Period, now: datetime) -> Report:
    """Every figure of the report for ``period`` (trend charts over its window), as of ``now``."""
    start, end = period.window_start, period.end
    window = queries.tickets(session, start, end)
    inquiries = queries.new_case_inquiries(session, start, end)
    registrations = queries.portal_registrations(session, start, end + timedelta(days=COME_BACK_DAYS))
    names = queries.organisation_names(session, {t.organisation_id for t in window if t.organisation_id})
    spans = queries.open_spans(session, start, end, window)
    return Report(
        period=period,
        first_response=first_response(window, period, calendar, now, target_minutes=settings.sla.first_response_minutes,
                                       goal_pct=settings.report.goal_percent),
        backlog=backlog(spans, queries.closing_events(session, start, end), period),
        satisfaction=satisfaction(queries.survey_answers(session, start, end),
                                  queries.closed_tickets(session, start, end, spans), period),
        volume=volume(window, inquiries, registrations, names, period, calendar),
    )


__all__ = ["Period", "Report", "build_report"]
