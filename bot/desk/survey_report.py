"""Survey figures per month and line: answers, each rating's count, mean, CSAT (share of 4 and 5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import SurveyResponse

ALL = "all"


@dataclass(frozen=True)
class ReportRow:
    month: str  # YYYY-MM in the desk's time zone, or "all"
    line: str  # "1", "2", "3", "?" (unknown) or "all"
    counts: tuple[int, int, int, int, int]  # answers with rating 1 … 5

    @property
    def answers(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float:
        return sum(rating * n for rating, n in enumerate(self.counts, start=1)) / self.answers

    @property
    def csat(self) -> float:
        """Percentage of answers rating 4 or 5."""
        return 100.0 * (self.counts[3] + self.counts[4]) / self.answers


def summarise(answers: Iterable[tuple[datetime, int | None, int]], tz: ZoneInfo) -> list[ReportRow]:
    """Rows per (month, line), a per-month total when a month has several lines, and a grand total."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 5)
    for answered_at, line, rating in answers:
        month = answered_at.astimezone(tz).strftime("%Y-%m")
        for key in ((month, str(line) if line else "?"), (month, ALL), (ALL, ALL)):
            cells[key][rating - 1] += 1
    lines_per_month: dict[str, int] = defaultdict(int)
    for month, line in cells:
        if line != ALL:
            lines_per_month[month] += 1
    rows = []
    for (month, line), counts in sorted(cells.items(), key=lambda item: (item[0][0] == ALL, item[0][0],
                                                                         item[0][1] == ALL, item[0][1])):
        if line == ALL and month != ALL and lines_per_month[month] < 2:
            continue  # a month with one line needs no subtotal
        rows.append(ReportRow(month, line, tuple(counts)))
    return rows


def load_answers(session: Session, tz: ZoneInfo, start: date | None, end: date | None):
    """(answered_at, line, rating) of answers on local dates ``start`` … ``end`` (inclusive)."""
    query = select(SurveyResponse.answered_at, SurveyResponse.line, SurveyResponse.rating)
    if start is not None:
        query = query.where(SurveyResponse.answered_at >= datetime.combine(start, time(), tzinfo=tz))
    if end is not None:
        query = query.where(SurveyResponse.answered_at < datetime.combine(end + timedelta(days=1), time(), tzinfo=tz))
    return session.execute(query.order_by(SurveyResponse.answered_at)).all()
