"""Are customers happy: the ratings 1–5, the weekly average, how many answered, what they wrote.

The response rate of a week is the share of the tickets closed that week
(as they stand now) whose customer answered the survey, whenever they did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.desk.reports.period import Period
from bot.desk.survey_report import ReportRow, summarise

LATEST_COMMENTS = 5
COMMENT_CHARS = 280


@dataclass(frozen=True, slots=True)
class Ratings:
    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    closed: int = 0  # tickets closed
    answered_closed: int = 0  # … of which the customer answered the survey

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        return round(sum(r * n for r, n in enumerate(self.counts, 1)) / self.answers, 2) if self.answers else None

    @property
    def csat_pct(self) -> float | None:
        return round(100 * (self.counts[3] + self.counts[4]) / self.answers, 1) if self.answers else None

    @property
    def response_rate_pct(self) -> float | None:
        return round(100 * self.answered_closed / self.closed, 1) if self.closed else None

    def as_dict(self) -> dict:
        return {"ratings": list(self.counts), "answers": self.answers, "mean": self.mean, "csat_pct": self.csat_pct,
                "closed": self.closed, "answered_closed": self.answered_closed,
                "response_rate_pct": self.response_rate_pct}


@dataclass(frozen=True, slots=True)
class Comment:
    day: date
    rating: int
    line: int | None
    text: str


@dataclass(frozen=True)
class Satisfaction:
    period: Ratings
    rows: list[ReportRow]  # exactly `supportbot survey report`'s rows for the period
    weeks: list[tuple[str, Ratings]]
    comments: list[Comment] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "period": self.period.as_dict(),
            "survey_report": [{"month": r.month, "line": r.line, "answers": r.answers, "ratings": list(r.counts),
                               "mean": round(r.mean, 2), "csat_pct": round(r.csat, 1)} for r in self.rows],
            "weeks": [{"week": week, **ratings.as_dict()} for week, ratings in self.weeks],
            "latest_comments": [{"date": c.day.isoformat(), "rating": c.rating, "line": c.line, "comment": c.text}
                                for c in self.comments],
        }


def satisfaction(answers, closed, period: Period) -> Satisfaction:
    """The section from the window's survey answers and closed tickets (queries ``survey_answers``,
    ``closed_tickets``)."""
    answers, closed = list(answers), list(closed)
    in_period = [a for a in answers if period.contains(a.answered_at)]
    weeks = {week: ([0] * 5, [0, 0]) for week in period.weeks()}
    for answer in answers:
        weeks[period.week_of(answer.answered_at)][0][answer.rating - 1] += 1
    for row in closed:
        tally = weeks[period.week_of(row.closed_at)][1]
        tally[0] += 1
        tally[1] += bool(row.answered)
    in_period_closed = [row for row in closed if period.contains(row.closed_at)]
    counts = [0] * 5
    for answer in in_period:
        counts[answer.rating - 1] += 1
    return Satisfaction(
        period=Ratings(tuple(counts), len(in_period_closed), sum(bool(r.answered) for r in in_period_closed)),
        rows=summarise(in_period, period.tz),
        weeks=[(week, Ratings(tuple(c), *closed_counts)) for week, (c, closed_counts) in weeks.items()],
        comments=latest_comments(in_period, period),
    )


def latest_comments(answers, period: Period) -> list[Comment]:
    """The newest answers with a comment, newest first, each cut to ``COMMENT_CHARS``."""
    with_text = [a for a in answers if (a.comment or "").strip()]
    return [Comment(period.local_date(a.answered_at), a.rating, a.line, _cut(a.comment.strip()))
            for a in reversed(with_text[-LATEST_COMMENTS:])]


def _cut(text: str) -> str:
    return text if len(text) <= COMMENT_CHARS else text[:COMMENT_CHARS - 1].rstrip() + "…"
