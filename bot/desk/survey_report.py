"""Survey figures per month and line: answers, each rating's count, mean, CSAT (share of 4 and 5)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable
from zoneinfo import ZoneInfo

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


def summarise(answers: Iterable, tz: ZoneInfo) -> list[ReportRow]:
    """Rows per (month, line), a per-month total when a month has several lines, and a grand total.

    ``answers`` are rows with ``answered_at``, ``line`` and ``rating``
    (bot/desk/reports/queries.py ``survey_answers``).
    """
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 5)
    for answer in answers:
        month = answer.answered_at.astimezone(tz).strftime("%Y-%m")
        for key in ((month, str(answer.line) if answer.line else "?"), (month, ALL), (ALL, ALL)):
            cells[key][answer.rating - 1] += 1
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
