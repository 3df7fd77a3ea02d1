"""Synthetic closed cases for the memory's scale benchmarks, made from the labelled set's own words.

Each case takes a labelled case's subject and text, keeps most of its words in
order, drops some and adds words drawn from the whole set's vocabulary and a
few made-up product codes, so term frequencies look like a desk's (common
words everywhere, rare ones rarely) and no two cases are alike.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

from bench.memory_desk import T0, case_line, load_set

_WORD = re.compile(r"\S+")


def labelled_cases() -> list[dict]:
    return [case for topic in load_set() if topic["topic"] for case in topic["cases"]]


def synthetic_lines(count: int, *, seed: int = 20, prefix: str = "SYN") -> list[str]:
    """``count`` history lines of closed cases (external references ``{prefix}-n``)."""
    rng = random.Random(seed)
    cases = labelled_cases()
    vocabulary = [word for case in cases for word in _WORD.findall(f"{case['text']} {case['reply']}")]
    lines = []
    for number in range(count):
        base = rng.choice(cases)
        text = _vary(rng, base["text"], vocabulary)
        reply = _vary(rng, base["reply"], vocabulary)
        subject = _vary(rng, base["subject"], vocabulary, extra=1)
        case = {**base, "subject": subject, "text": text, "reply": reply}
        lines.append(case_line(f"{prefix}-{number}", case, T0 - timedelta(minutes=number)))
    return lines


def _vary(rng: random.Random, text: str, vocabulary: list[str], extra: int = 4) -> str:
    words = [word for word in _WORD.findall(text) if rng.random() > 0.2] or _WORD.findall(text)[:1]
    for _ in range(rng.randint(0, extra)):
        words.insert(rng.randint(0, len(words)), rng.choice(vocabulary))
    if rng.random() < 0.3:
        words.append(f"{rng.choice('ABCDEFGH')}{rng.randint(100, 99999)}")
    return " ".join(words)
