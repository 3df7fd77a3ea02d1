"""What a receipt promises the customer: the ticket's first-response budget, in words.

The budget is the SLA settings' for that ticket (per priority, else per line,
else the default), so a desk that promises 30 minutes to urgent cases, or four
hours to everyone, says so in the receipt instead of a hard-coded "two hours".
Pure: business minutes in, words out.
"""

from __future__ import annotations

from collections.abc import Mapping

_HOURS_IN_WORDS = {
    "sv": ("en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv"),
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"),
}
_UNITS = {  # (one hour, hours, minutes)
    "sv": ("arbetstimme", "arbetstimmar", "arbetsminuter"),
    "en": ("business hour", "business hours", "business minutes"),
}
_WITHIN = {"sv": "inom", "en": "within"}


def first_response_budget(default_minutes: int, per_priority: Mapping[str, int], per_line: Mapping[str, int],
                          priority: str, line: int) -> int:
    """Business minutes to first response: per priority, else per line, else the default."""
    return per_priority.get(priority) or per_line.get(str(line)) or default_minutes


def first_response_promise(minutes: int, lang: str) -> str:
    """"inom två arbetstimmar" / "within two business hours"; "within 45 business minutes"; Swedish by default."""
    lang = lang if lang in _WITHIN else "sv"
    one_hour, hours, in_minutes = _UNITS[lang]
    if minutes % 60:
        return f"{_WITHIN[lang]} {minutes} {in_minutes}"
    count = minutes // 60
    words = _HOURS_IN_WORDS[lang]
    amount = words[count - 1] if count <= len(words) else str(count)
    return f"{_WITHIN[lang]} {amount} {one_hour if count == 1 else hours}"
