"""Announced deviations: dated exceptions that win over the rules, parsed from TOML text.

The file holds ``[[deviation]]`` entries; see ``parse_deviations``. Parsing is
pure (text in, entries out); reading the file is the caller's business.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator, Literal, NoReturn

from bot.domain.hours.day_rules import HoursError, HoursRules, Span, cut_lunch
from bot.domain.hours.toml_lines import TableLines, top_level_key_line

Mode = Literal["closed", "open", "half_day", "hours"]
KEYS = ("date", "until", "closed", "open", "half_day", "start", "end", "lunch_start", "lunch_end", "note", "note_en")
MAX_DAYS = 366  # a longer range is far more likely a typo in a year than a plan

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class DeviationError(HoursError):
    """An entry of the deviations file is wrong; the message names the file, line and reason."""


@dataclass(frozen=True, slots=True)
class Deviation:
    """Dates ``first``–``last`` (inclusive) kept closed, open as usual, as a half day or with own hours."""

    first: date
    last: date
    mode: Mode
    start: time | None = None
    end: time | None = None
    lunch_start: time | None = None
    lunch_end: time | None = None
    note: str = ""
    note_en: str = ""
    line: int = 0

    def dates(self) -> Iterator[date]:
        """Every date the deviation covers."""
        for offset in range((self.last - self.first).days + 1):
            yield self.first + timedelta(days=offset)

    def spans(self, rules: HoursRules) -> tuple[Span, ...]:
        """The open spans on each covered date."""
        if self.mode == "closed":
            return ()
        if self.mode == "open":
            return rules.regular_spans
        if self.mode == "half_day":
            return rules.half_day_spans
        return cut_lunch(self.start, self.end, self.lunch_start, self.lunch_end)


def parse_deviations(text: str, source: str = "deviations") -> tuple[Deviation, ...]:
    """Parse and validate a deviations file; raise ``DeviationError`` naming ``source`` and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeviationError(_syntax_message(source, exc)) from None
    for key in data:
        if key != "deviation":
            raise DeviationError(f"{source} line {top_level_key_line(text, key)}: unknown key {key!r} (expected [[deviation]] entries)")
    raw = data.get("deviation", [])
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise DeviationError(f"{source} line {top_level_key_line(text, 'deviation')}: deviation must be [[deviation]] tables")
    lines = TableLines(text, "deviation", len(raw))
    entries = [_Entry(entry, index, lines, source).parse() for index, entry in enumerate(raw)]
    _check_overlaps(entries, source)
    return tuple(sorted(entries, key=lambda entry: entry.first))


def _syntax_message(source: str, exc: tomllib.TOMLDecodeError) -> str:
    # tomllib says "Invalid value (at line 3, column 8)"; lead with the line like every other error.
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
    if not found:
        return f"{source}: {exc}"
    return f"{source} line {found[1]}: {str(exc)[:found.start()]} (column {found[2]})"


def _check_overlaps(entries: list[Deviation], source: str) -> None:
    ordered = sorted(entries, key=lambda entry: (entry.first, entry.line))
    for previous, current in zip(ordered, ordered[1:]):
        if current.first <= previous.last:
            later, earlier = sorted((previous, current), key=lambda entry: entry.line, reverse=True)
            raise DeviationError(
                f"{source} line {later.line}: {_dates(later)} overlaps the entry at line {earlier.line} ({_dates(earlier)})"
            )


def _dates(entry: Deviation) -> str:
    return str(entry.first) if entry.first == entry.last else f"{entry.first} to {entry.last}"


def _hm(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


class _Entry:
    """One raw ``[[deviation]]`` table being validated."""

    def __init__(self, raw: dict[str, Any], index: int, lines: TableLines, source: str) -> None:
        self.raw, self.index, self.lines, self.source = raw, index, lines, source

    def fail(self, key: str | None, reason: str) -> NoReturn:
        line = self.lines.key(self.index, key) if key else self.lines.entry(self.index)
        raise DeviationError(f"{self.source} line {line}: {reason}")

    def parse(self) -> Deviation:
        for key in self.raw:
            if key not in KEYS:
                self.fail(key, f"unknown key {key!r} (expected one of {', '.join(KEYS)})")
        if "date" not in self.raw:
            self.fail(None, "missing date")
        first = self.date("date")
        last = self.date("until") if "until" in self.raw else first
        if last < first:
            self.fail("until", f"until {last} is before date {first}")
        if (last - first).days >= MAX_DAYS:
            self.fail("until", f"{first} to {last} is longer than {MAX_DAYS} days; split it into entries")
        mode = self.mode()
        hours = self.hours() if mode == "hours" else (None, None, None, None)
        note, note_en = self.text("note"), self.text("note_en")
        return Deviation(first, last, mode, *hours, note=note, note_en=note_en, line=self.lines.key(self.index, "date"))

    def mode(self) -> Mode:
        chosen = [key for key in ("closed", "open", "half_day") if key in self.raw]
        for key in chosen:
            if self.raw[key] is not True:
                self.fail(key, f"{key} must be true (leave it out otherwise)")
        timed = [key for key in ("start", "end") if key in self.raw]
        if not chosen and not timed:
            self.fail(None, "say what the day is: closed = true, open = true, half_day = true, or start and end")
        if len(chosen) + bool(timed) > 1:
            both = (chosen + timed)[:2]
            self.fail(both[1], f"{both[0]} and {both[1]} cannot be combined; an entry is one kind of deviation")
        if not timed:
            for key in ("lunch_start", "lunch_end"):
                if key in self.raw:
                    self.fail(key, f"{key} goes only with start and end")
        return chosen[0] if chosen else "hours"

    def hours(self) -> tuple[time, time, time | None, time | None]:
        for key, other in (("start", "end"), ("end", "start"), ("lunch_start", "lunch_end"), ("lunch_end", "lunch_start")):
            if key in self.raw and other not in self.raw:
                self.fail(key, f"{key} needs {other}")
        start, end = self.time("start"), self.time("end")
        if end <= start:
            self.fail("end", f"end {_hm(end)} is {'before' if end < start else 'the same as'} start {_hm(start)}")
        if "lunch_start" not in self.raw:
            return start, end, None, None
        lunch_start, lunch_end = self.time("lunch_start"), self.time("lunch_end")
        if lunch_end <= lunch_start:
            self.fail("lunch_end", f"lunch_end {_hm(lunch_end)} is not after lunch_start {_hm(lunch_start)}")
        if not (start < lunch_start and lunch_end < end):
            self.fail("lunch_start", f"lunch {_hm(lunch_start)}–{_hm(lunch_end)} is not within {_hm(start)}–{_hm(end)}")
        return start, end, lunch_start, lunch_end

    def date(self, key: str) -> date:
        value = self.raw[key]
        if isinstance(value, datetime):
            self.fail(key, f"{key} {value.isoformat()} is a date-time; write the date only (YYYY-MM-DD)")
        if isinstance(value, date):
            return value
        if not isinstance(value, str) or not _DATE.match(value):
            self.fail(key, f"{key} {value!r} is not a date in the form YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(key, f"{key} {value} is not a valid date")

    def time(self, key: str) -> time:
        value = self.raw[key]
        if isinstance(value, time):
            return value
        found = _TIME.match(value) if isinstance(value, str) else None
        if not found:
            self.fail(key, f"{key} {value!r} is not a time in the form HH:MM")
        try:
            return time(int(found[1]), int(found[2]), int(found[3] or 0))
        except ValueError:
            self.fail(key, f"{key} {value} is not a valid time")

    def text(self, key: str) -> str:
        value = self.raw.get(key, "")
        if not isinstance(value, str):
            self.fail(key, f"{key} must be a string")
        return value.strip()
