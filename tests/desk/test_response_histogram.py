"""The first-response histogram of /metrics: the report's times, counted once however often it is scraped."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.hours.calendar import BusinessCalendar
from bot.desk.reports.response_histogram import ResponseHistogram
from storage.models import Ticket
from tests.desk.report_week import NOW, local, seed_week

# The fixture's nine tickets: seven answered, in 20 (T9), 45 (T8), 30, 90, 150, 10 and 2 business minutes.
EXPECTED = [("15.0", 2), ("30.0", 4), ("60.0", 5), ("90.0", 6), ("120.0", 6), ("180.0", 7), ("240.0", 7),
            ("480.0", 7), ("960.0", 7), ("+Inf", 7)]


def test_buckets_sum_and_no_double_counting(session_factory):
    ids = seed_week(session_factory)
    histogram = ResponseHistogram(BusinessCalendar())
    with session_factory() as session:
        assert histogram.read(session, NOW) == (EXPECTED, 347.0)
        assert histogram.read(session, NOW) == (EXPECTED, 347.0)  # T7 (answered 09:02) is still fresh: not settled
        later = NOW + timedelta(hours=2)
        assert histogram.read(session, later) == (EXPECTED, 347.0)  # now it is settled, and counted once
        t6 = session.get(Ticket, ids["T6"])
        t6.first_response_at = local(2026, 3, 16, 11, 0)  # Friday 15:00 → Monday 11:00: 60 + 120 = 180 minutes
        session.commit()
        buckets, total = histogram.read(session, later)
    assert dict(buckets)["120.0"] == 6 and dict(buckets)["180.0"] == 8 and dict(buckets)["+Inf"] == 8
    assert total == 527.0
