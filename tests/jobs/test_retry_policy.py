"""next_retry_delay: exponential growth, cap, full jitter, determinism."""

from __future__ import annotations

import random

import pytest

from bot.jobs.outbox import next_retry_delay


class _Extremes(random.Random):
    """An rng that always picks the top of the range, to see the ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (50, 3600)])
def test_ceiling_doubles_then_caps(attempt, ceiling):
    assert next_retry_delay(attempt, 30, 3600, _Extremes()) == ceiling


def test_full_jitter_stays_in_range_and_spreads():
    rng = random.Random(4)
    delays = [next_retry_delay(3, 30, 3600, rng) for _ in range(2000)]
    assert all(0 <= d <= 120 for d in delays)
    assert min(delays) < 10 and max(delays) > 110  # spread over the whole range, not clustered


def test_same_seed_same_delays():
    first = [next_retry_delay(n, 30, 3600, random.Random(7)) for n in range(1, 10)]
    again = [next_retry_delay(n, 30, 3600, random.Random(7)) for n in range(1, 10)]
    assert first == again


def test_huge_attempt_does_not_overflow():
    assert next_retry_delay(10_000, 30, 3600, _Extremes()) == 3600


@pytest.mark.parametrize(("attempt", "base", "cap"), [(0, 30, 3600), (1, 0, 3600), (1, 30, 0)])
def test_bad_arguments(attempt, base, cap):
    with pytest.raises(ValueError):
        next_retry_delay(attempt, base, cap, random.Random(1))
