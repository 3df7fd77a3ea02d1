"""Opening times as customers read them, in Swedish or English (Babel for names of days and months)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.domain.hours.day_rules import HoursRules, Span

LOCALES = {"sv": "sv_SE", "en": "en_GB"}  # en_GB: "Monday 18 May", 24-hour clock
_YEAR_AFTER_DAYS = 180  # further ahead than this, the date also names the year

_WORDS = {
    "sv": {"today": "i dag", "tomorrow": "i morgon", "at": "kl.", "closed": "stängt",
           "weekdays": "vardagar", "lunch": "lunchstängt", "half_day": "dag före helgdag"},
    "en": {"today": "today", "tomorrow": "tomorrow", "at": "at", "closed": "closed",
           "weekdays": "weekdays", "lunch": "closed for lunch", "half_day": "day before a holiday"},
}


def language(lang: str) -> str:
    """``"sv"`` or ``"en"`` from a language or locale tag (``sv_SE``, ``en-GB`` …); others raise ``ValueError``."""
    code = lang.replace("-", "_").split("_")[0].lower()
    if code not in LOCALES:
        raise ValueError(f"unsupported language {lang!r} (expected sv or en)")
    return code


def format_next_opening(opening: datetime, now: datetime, lang: str = "sv", tz: str | ZoneInfo = "Europe/Stockholm") -> str:
    """``måndag 18 maj kl. 09:00`` / ``Monday 18 May at 09:00``; ``i dag``/``today`` and ``i morgon``/``tomorrow`` relative to ``now``."""
    code = language(lang)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = opening.astimezone(zone)
    days_ahead = (local.date() - now.astimezone(zone).date()).days
    words = _WORDS[code]
    clock = f"{words['at']} {local:%H:%M}"
    if days_ahead == 0:
        return f"{words['today']} {clock}"
    if days_ahead == 1:
        return f"{words['tomorrow']} {clock}"
    pattern = "EEEE d MMMM y" if abs(days_ahead) > _YEAR_AFTER_DAYS else "EEEE d MMMM"
    return f"{format_datetime(local, pattern, tzinfo=zone, locale=LOCALES[code])} {clock}"


def format_clock(value: time, lang: str = "sv") -> str:
    """``09.00`` in Swedish, ``09:00`` in English."""
    return value.strftime("%H.%M" if language(lang) == "sv" else "%H:%M")


def format_span(span: Span, lang: str = "sv") -> str:
    """``09.00–12.00``."""
    return f"{format_clock(span[0], lang)}–{format_clock(span[1], lang)}"


def format_spans(spans: tuple[Span, ...], lang: str = "sv") -> str:
    """A day's hours, ``09.00–12.00, 13.00–16.00``, or ``stängt``/``closed``."""
    if not spans:
        return _WORDS[language(lang)]["closed"]
    return ", ".join(format_span(span, lang) for span in spans)


def format_regular_hours(rules: HoursRules, lang: str = "sv", *, half_day: bool = False) -> str:
    """``vardagar 09.00–16.00, lunchstängt 12.00–13.00`` / ``weekdays 09:00–16:00, closed for lunch 12:00–13:00``.

    With ``half_day=True`` (and the rule switched on) the short day before a
    holiday is added: ``…, dag före helgdag 09.00–12.00``.
    """
    words = _WORDS[language(lang)]
    spans = rules.regular_spans  # lunch already clipped to the day
    parts = [f"{words['weekdays']} {format_span((spans[0][0], spans[-1][1]), lang)}"]
    if len(spans) == 2:
        parts.append(f"{words['lunch']} {format_span((spans[0][1], spans[1][0]), lang)}")
    if half_day and rules.half_day_before_red_day:
        parts.append(f"{words['half_day']} {format_spans(rules.half_day_spans, lang)}")
    return ", ".join(parts)
