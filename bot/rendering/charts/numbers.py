"""Numbers and dates in the report's language, through Babel: "94,3 %", "1 234", "9 mars 2026"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALES = {"sv": "sv_SE", "en": "en_GB"}
MISSING = "–"


@lru_cache(maxsize=None)
def _percent_pattern(locale: str) -> str:
    # The locale's own percent pattern ("#,##0 %" in Swedish, with its space), one decimal allowed; parsed
    # once (a year's tables format a few thousand percentages).
    return Locale.parse(locale).percent_formats[None].pattern.replace("0", "0.#", 1)


@dataclass(frozen=True)
class Numbers:
    """Formatting for one language (``sv`` or ``en``); None shows as a dash."""

    lang: str

    @property
    def locale(self) -> str:
        return LOCALES.get(self.lang, LOCALES["sv"])

    def pct(self, value: float | None) -> str:
        """A percentage given as 0–100, one decimal when it has one: "66,7 %" / "66.7%"."""
        if value is None:
            return MISSING
        return format_percent(value / 100, format=_percent_pattern(self.locale), locale=self.locale)

    def num(self, value: float | None, decimals: int = 1) -> str:
        """A number with up to ``decimals`` decimals: "3,67", "1 234"."""
        if value is None:
            return MISSING
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def count(self, value: int) -> str:
        """A whole number with the locale's grouping: "39 802" (a no-break space) / "39,802"."""
        return format_decimal(value, format="#,##0", locale=self.locale)

    def day(self, value: date) -> str:
        """ "9 mars 2026" / "9 March 2026"."""
        return format_date(value, "d MMMM y", locale=self.locale)

    def short_day(self, value: date) -> str:
        """ "9 mars" / "9 Mar"."""
        return format_date(value, "d MMM", locale=self.locale).rstrip(".")

    def weekday_day(self, value: date) -> str:
        """ "mån 9 mars" / "Mon 9 Mar"."""
        return format_date(value, "EEE d MMM", locale=self.locale).replace(".", "")

    def week(self, label: str) -> str:
        """An ISO week label ``2026-W11`` as "v. 11" / "wk 11"."""
        number = int(label.rsplit("W", 1)[1])
        return f"v.\u00a0{number}" if self.lang == "sv" else f"wk\u00a0{number}"

    def span(self, first: date, last: date) -> str:
        """ "9–15 mars 2026", "28 februari – 6 mars 2026" / "9–15 March 2026"."""
        if first == last:
            return self.day(first)
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{self.day(last)}"
        if first.year == last.year:
            return f"{format_date(first, 'd MMMM', locale=self.locale)} – {self.day(last)}"
        return f"{self.day(first)} – {self.day(last)}"
