"""Table-driven cases from tests/data/hours: what each date is, and status/due/next/between at given instants."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

import pytest

from bot.domain.hours.calendar import BusinessCalendar

DATA = Path(__file__).resolve().parents[1] / "data" / "hours"
CALENDAR = BusinessCalendar()


def _rows(name: str) -> list[pytest.param]:
    """The CSV's rows as params, each named by its line and reason."""
    with (DATA / name).open(encoding="utf-8") as handle:
        numbered = [(number, line) for number, line in enumerate(handle, 1) if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(line for _, line in numbered)
    return [pytest.param(row, id=f"line{number}-{row['why'][:40]}") for (number, _), row in zip(numbered[1:], reader)]


def _spans(text: str) -> tuple[tuple[time, time], ...]:
    if text == "closed":
        return ()
    return tuple(tuple(time.fromisoformat(part) for part in span.split("-")) for span in text.split())


def _iso(at: datetime) -> str:
    return at.astimezone(CALENDAR.tz).isoformat(timespec="seconds")


@pytest.mark.parametrize("row", _rows("days.csv"))
def test_day(row):
    info = CALENDAR.day_info(date.fromisoformat(row["date"]))
    assert (info.kind.value, info.spans) == (row["kind"], _spans(row["hours"]))


@pytest.mark.parametrize("row", _rows("instants.csv"))
def test_instant(row):
    at = datetime.fromisoformat(row["at"])
    op, expected = row["op"], row["expected"]
    if op == "status":
        state = "open" if CALENDAR.is_open(at) else "closed"
        assert f"{state} until {_iso(CALENDAR.period_end(at))}" == expected
    elif op == "next":
        assert _iso(CALENDAR.next_opening(at)) == expected
    elif op == "due":
        assert _iso(CALENDAR.add_business_minutes(at, int(row["arg"]))) == expected
    elif op == "between":
        assert CALENDAR.business_minutes_between(at, datetime.fromisoformat(row["arg"])) == float(expected)
    else:
        pytest.fail(f"unknown op {op!r}")


def test_days_do_not_depend_on_the_order_years_are_built():
    # Tables grow lazily in both directions; the answer must not depend on which year came first.
    backwards = BusinessCalendar()
    backwards.days(2027)
    backwards.days(2025)
    prepared = BusinessCalendar()
    prepared.prepare(2025, 2027)
    assert [backwards.days(year) for year in (2025, 2026, 2027)] == [prepared.days(year) for year in (2025, 2026, 2027)]
