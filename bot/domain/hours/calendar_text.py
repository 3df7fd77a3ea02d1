"""The year's special days as text lines, for ``supportbot hours calendar`` and staff pages."""

from __future__ import annotations

from typing import Iterable, Iterator

from babel.dates import format_date

from bot.domain.hours.day_rules import DayInfo, DayKind
from bot.domain.hours.opening_text import LOCALES, format_spans, language

_PLAIN = (DayKind.OPEN, DayKind.WEEKEND)  # what a reader assumes without being told

_REASONS = {
    "sv": {"half_day": "halvdag, dag före {name}", "klamdag_after": "klämdag efter {name}",
           "klamdag_before": "klämdag före {name}", "deviation": "avvikelse"},
    "en": {"half_day": "half day, day before {name}", "klamdag_after": "bridge day (klämdag) after {name}",
           "klamdag_before": "bridge day (klämdag) before {name}", "deviation": "deviation"},
}


def special_days(days: Iterable[DayInfo]) -> Iterator[DayInfo]:
    """The days that differ from a plain weekday or an ordinary weekend."""
    return (info for info in days if info.kind not in _PLAIN)


def calendar_lines(days: Iterable[DayInfo], lang: str = "sv") -> Iterator[str]:
    """One line per special day: date, weekday, hours and reason, in columns."""
    code = language(lang)
    for info in special_days(days):
        weekday = format_date(info.day, "EEEE", locale=LOCALES[code])
        yield f"{info.day.isoformat()}  {weekday:<9}  {format_spans(info.spans, code):<24}  {day_reason(info, code)}"


def day_reason(info: DayInfo, lang: str = "sv") -> str:
    """Why a day has its hours: the holiday's name, ``halvdag, dag före …``, ``klämdag efter …``, a deviation's note."""
    code = language(lang)
    reasons = _REASONS[code]
    red = info.red_day
    name = "" if red is None else (red.name_sv if code == "sv" else red.name_en)
    if info.kind in (DayKind.HOLIDAY, DayKind.EVE):
        return name
    if info.kind == DayKind.DEVIATION:
        note = (info.note_en or info.note) if code == "en" else info.note
        return f"{reasons['deviation']}: {note}" if note else reasons["deviation"]
    if code == "sv":
        name = _in_running_text(name)
    if info.kind == DayKind.HALF_DAY:
        return reasons["half_day"].format(name=name)
    if info.kind == DayKind.KLAMDAG:
        side = "klamdag_after" if red is not None and red.day < info.day else "klamdag_before"
        return reasons[side].format(name=name)
    return name


def _in_running_text(name: str) -> str:
    # Swedish writes holiday names in lower case mid-sentence ("dag före julafton"),
    # except the proper noun in "Kristi himmelsfärdsdag".
    return name if name.startswith("Kristi") else name[:1].lower() + name[1:]
