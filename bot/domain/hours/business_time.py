"""Business-time arithmetic over precomputed open intervals (integer microseconds since the epoch).

Intervals are half-open ``[start, end)``: the desk is open at its opening
instant and closed at its closing instant. "Business position" ``B(t)`` is the
open time elapsed between the start of the table and ``t``; it is continuous
and never decreases, so the due time of ``m`` business units is the earliest
instant at which ``B`` has grown by ``m``. Everything here is ints and
``bisect``: no dates, no zones, no per-day work.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterable


@dataclass(frozen=True, slots=True)
class IntervalTable:
    """Sorted, disjoint open intervals covering the instants ``lo``–``hi``, with running totals."""

    lo: int
    hi: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    before: tuple[int, ...]  # open time before interval i
    upto: tuple[int, ...]  # open time up to the end of interval i

    @classmethod
    def build(cls, lo: int, hi: int, intervals: Iterable[tuple[int, int]]) -> IntervalTable:
        """A table from ``(start, end)`` pairs in order; empty pairs are dropped, touching ones merged."""
        merged: list[list[int]] = []
        for start, end in intervals:
            if end <= start:
                continue  # e.g. a span whose wall times fold together in a DST change
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        upto = tuple(accumulate(end - start for start, end in merged))
        before = (0,) + upto[:-1] if upto else ()
        return cls(lo, hi, tuple(s for s, _ in merged), tuple(e for _, e in merged), before, upto)

    def covers(self, first: int, last: int) -> bool:
        """Whether both instants lie inside the table."""
        return self.lo <= first and last < self.hi

    def is_open(self, t: int) -> bool:
        """Whether ``t`` lies in an open interval."""
        i = bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.ends[i]

    def period_end(self, t: int) -> int | None:
        """End of the open or closed period containing ``t``; None if beyond the table."""
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return self.ends[i]
        return self.starts[i + 1] if i + 1 < len(self.starts) else None

    def next_opening(self, t: int) -> int | None:
        """The earliest open instant at or after ``t``; None if beyond the table."""
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else None

    def position(self, t: int) -> int:
        """Open time between the start of the table and ``t``."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.before[i] + min(t - self.starts[i], self.ends[i] - self.starts[i])

    @property
    def total(self) -> int:
        """Open time in the whole table."""
        return self.upto[-1] if self.upto else 0

    def instant_at(self, position: int) -> int | None:
        """The earliest instant whose position is ``position`` (> 0); None if beyond the table."""
        i = bisect_left(self.upto, position)
        if i == len(self.upto):
            return None
        return self.starts[i] + (position - self.before[i])
