"""Which hours the desk keeps on a given day by the vendor's rules, and why.

The rules (DESIGN.md, "The rules of the desk"), applied in this order:

1. A red day is closed. Red days are the Swedish public holidays (including
   those that fall on a Sunday, like påskdagen) and the configured eves
   (midsommarafton, julafton, nyårsafton). An eve that is not configured as
   closed is an ordinary day and not a red day.
2. Saturday and Sunday are closed; an ordinary Sunday is not a red day.
3. A klämdag, a weekday between two days closed by rules 1–2, is closed.
   Only single days are bridged, and a klämdag does not make its neighbours
   klämdagar in turn.
4. A weekday whose next calendar day is a red day closes early (half day).
   "Immediately before" is taken literally: a Friday before an ordinary
   weekend, or before a Monday holiday, is a full day.
5. Any other weekday keeps the regular hours, with lunch cut out.

Announced deviations (see ``deviations``) are applied on top by the caller
and never change the rules' view of neighbouring days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import Enum
from typing import Iterable, Mapping


EVES = ("midsommarafton", "julafton", "nyårsafton")
ONE_DAY = timedelta(days=1)

Span = tuple[time, time]


class HoursError(ValueError):
    """The hours settings or the deviations file cannot describe a calendar."""


class DayKind(str, Enum):
    """Why a day has the hours it has."""

    OPEN = "open"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    EVE = "eve"
    HALF_DAY = "half_day"
    KLAMDAG = "klamdag"
    DEVIATION = "deviation"


@dataclass(frozen=True, slots=True)
class RedDay:
    """A public holiday or a closed eve, named in Swedish and English."""

    day: date
    name_sv: str
    name_en: str
    eve: bool


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One local calendar day: its kind, open spans (local wall time) and reason.

    ``red_day`` is the holiday itself, the red day a half day precedes, or
    the red day next to a klämdag. ``note``/``note_en`` come from an announced
    deviation.
    """

    day: date
    kind: DayKind
    spans: tuple[Span, ...]
    red_day: RedDay | None = None
    note: str = ""
    note_en: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the desk opens at all on this day."""
        return bool(self.spans)


def cut_lunch(start: time, end: time, lunch_start: time | None, lunch_end: time | None) -> tuple[Span, ...]:
    """The spans of ``start``–``end`` with the lunch closure taken out."""
    if lunch_start is None or lunch_end is None:
        return ((start, end),) if start < end else ()
    parts = ((start, min(end, lunch_start)), (max(start, lunch_end), end))
    return tuple(part for part in parts if part[0] < part[1])


@dataclass(frozen=True)
class HoursRules:
    """The settings the rules depend on (``HoursSettings`` minus zone and file)."""

    open: time = time(9, 0)
    close: time = time(16, 0)
    lunch_start: time | None = time(12, 0)
    lunch_end: time | None = time(13, 0)
    half_day_close: time = time(12, 0)
    half_day_before_red_day: bool = True
    closed_eves: frozenset[str] = frozenset(EVES)
    close_klamdagar: bool = True

    def __post_init__(self) -> None:
        # Messages name the settings because these values come from them.
        if not self.open < self.close:
            raise HoursError(f"hours.close: {self.close:%H:%M} is not after hours.open {self.open:%H:%M}")
        if not self.open < self.half_day_close <= self.close:
            raise HoursError(f"hours.half_day_close: {self.half_day_close:%H:%M} is not within hours.open–hours.close")
        if self.lunch_start is not None:
            if self.lunch_end is None:
                raise HoursError("hours.lunch_end: must be set when hours.lunch_start is")
            if not self.lunch_start < self.lunch_end:
                raise HoursError(f"hours.lunch_end: {self.lunch_end:%H:%M} is not after hours.lunch_start {self.lunch_start:%H:%M}")
        unknown = set(self.closed_eves) - set(EVES)
        if unknown:
            raise HoursError(f"hours.closed_eves: unknown eve {sorted(unknown)[0]!r}")

    @classmethod
    def from_settings(cls, settings) -> HoursRules:
        """Rules from a ``bot.app.config.HoursSettings`` (or anything with its fields)."""
        return cls(
            open=settings.open,
            close=settings.close,
            lunch_start=settings.lunch_start,
            lunch_end=settings.lunch_end,
            half_day_close=settings.half_day_close,
            half_day_before_red_day=settings.half_day_before_red_day,
            closed_eves=frozenset(settings.closed_eves),
            close_klamdagar=settings.close_klamdagar,
        )

    @property
    def lunch(self) -> Span | None:
        """The lunch closure, or None."""
        return None if self.lunch_start is None else (self.lunch_start, self.lunch_end)

    def spans(self, start: time, end: time) -> tuple[Span, ...]:
        """Open spans from ``start`` to ``end`` with the regular lunch cut out."""
        return cut_lunch(start, end, self.lunch_start, self.lunch_end)

    @property
    def regular_spans(self) -> tuple[Span, ...]:
        """The spans of an ordinary weekday."""
        return self.spans(self.open, self.close)

    @property
    def half_day_spans(self) -> tuple[Span, ...]:
        """The spans of a weekday before a red day."""
        return self.spans(self.open, self.half_day_close)


def red_days(years: Iterable[int], closed_eves: frozenset[str]) -> dict[date, RedDay]:
    """Public holidays and the closed eves of ``years``, from ``holidays`` (SE)."""
    import holidays  # here: `supportbot hours --help` should not load it (issue 21)

    years = list(years)
    found: dict[date, RedDay] = {}
    for category, eve in (("de_facto", True), ("public", False)):  # public wins a shared date
        # include_sundays=False: ordinary Sundays are weekend days, not holidays.
        common = dict(years=years, categories=(category,), include_sundays=False)
        names_sv = holidays.SE(language="sv", **common)
        names_en = holidays.SE(language="en_US", **common)
        for day, name_sv in names_sv.items():
            if eve and name_sv.lower() not in closed_eves:
                continue
            found[day] = RedDay(day, name_sv, names_en.get(day, name_sv), eve)
    return found


def rule_day(day: date, rules: HoursRules, red: Mapping[date, RedDay]) -> DayInfo:
    """The day's hours by the rules alone; ``red`` must cover the day and its neighbours."""
    own = red.get(day)
    if own is not None:
        return DayInfo(day, DayKind.EVE if own.eve else DayKind.HOLIDAY, (), own)
    if day.weekday() >= 5:
        return DayInfo(day, DayKind.WEEKEND, ())
    before, after = day - ONE_DAY, day + ONE_DAY
    if rules.close_klamdagar and _closed(before, red) and _closed(after, red):
        return DayInfo(day, DayKind.KLAMDAG, (), red.get(before) or red.get(after))
    if rules.half_day_before_red_day and after in red:
        return DayInfo(day, DayKind.HALF_DAY, rules.half_day_spans, red[after])
    return DayInfo(day, DayKind.OPEN, rules.regular_spans)


def _closed(day: date, red: Mapping[date, RedDay]) -> bool:
    """Closed by rules 1–2 (the days a klämdag sits between)."""
    return day.weekday() >= 5 or day in red
