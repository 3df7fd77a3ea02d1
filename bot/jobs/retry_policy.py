"""When to try a failed delivery again: exponential backoff with full jitter."""

from __future__ import annotations

import random


def next_retry_delay(attempt: int, base_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = the first retry).

    Full jitter (uniform between 0 and the capped exponential step) spreads
    the retries of many messages that failed together, e.g. when the relay
    came back after an outage, instead of sending them in waves.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base_s <= 0 or max_s <= 0:
        raise ValueError("base_s and max_s must be positive")
    # Cap the exponent so that a very high attempt count cannot overflow.
    ceiling = min(max_s, base_s * 2.0 ** min(attempt - 1, 64))
    return rng.uniform(0.0, ceiling)
