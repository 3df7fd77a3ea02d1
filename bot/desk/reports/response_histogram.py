"""First-response times in business minutes as a Prometheus histogram, read from the database on scrape.

Like the other gauges of /metrics it counts what the database holds, so every
replica shows the same figures (aggregate with ``max``, not ``sum``) and a
restart loses nothing; the times are the report's own (registration to first
response, bot/desk/reports/first_response.py). A first response never changes
once given, so responses older than ``SETTLE`` are counted once and kept as
running totals: a scrape computes only the last hour's, however long the desk's
history. (A response committed more than an hour after its own timestamp would
be missed; a transaction takes milliseconds.)
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.desk.reports import queries

BUCKETS = (15, 30, 60, 90, 120, 180, 240, 480, 960)  # business minutes; 120 is the default target
SETTLE = timedelta(hours=1)


class ResponseHistogram:
    """Cumulative bucket counts and the sum, as of each scrape."""

    def __init__(self, calendar):
        self._calendar = calendar
        self._counts = [0] * (len(BUCKETS) + 1)  # per bucket (not cumulative), the last one +Inf
        self._sum = 0.0
        self._settled_until: datetime | None = None
        self._lock = threading.Lock()

    def read(self, session: Session, now: datetime) -> tuple[list[tuple[str, int]], float]:
        """``([(le, cumulative count), …, ("+Inf", total)], sum of minutes)``."""
        with self._lock:
            cutoff = now - SETTLE
            if self._settled_until is None or cutoff > self._settled_until:
                settled = queries.first_responses(session, self._settled_until, cutoff)
                self._sum += self._add(self._counts, settled)
                self._settled_until = cutoff
            counts = list(self._counts)
            total = self._sum + self._add(counts, queries.first_responses(session, self._settled_until, None))
        running, buckets = 0, []
        for le, count in zip((*map(str, BUCKETS), "+Inf"), counts):
            running += count
            buckets.append((le if le == "+Inf" else f"{float(le)}", running))
        return buckets, total

    def _add(self, counts: list[int], rows) -> float:
        added = 0.0
        for created_at, responded_at in rows:
            minutes = max(0.0, self._calendar.business_minutes_between(created_at, responded_at))
            counts[next((n for n, le in enumerate(BUCKETS) if minutes <= le), len(BUCKETS))] += 1
            added += minutes
        return added
