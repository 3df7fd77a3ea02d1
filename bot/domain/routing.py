"""Routing suggestion: which line and category a new case probably belongs to.

Pure: rules in, suggestion out. The rules come from ``[[routing.rule]]`` in the
configuration (``DEFAULT_RULES`` when none are given). A rule matches when every
condition it names holds: one of its ``keywords`` occurs in the text, the case's
organisation number equals ``organisation``, the portal's own category equals
``portal_category``. Rules are tried in order; the first matching rule that
names a line gives the line, the first that names a category gives the
category. The agent decides: the card only shows the suggestion.

A keyword matches at the start of a word, case-insensitively, so Swedish
inflected and compound forms match their stem ("databas" → "databasen",
"installera" → "installerade"), while "upgrade" does not match "downgrade".
Spaces in a keyword match any run of white space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Protocol

# Ordered services first (their own category, 2nd line), then 2nd-line work in general.
DEFAULT_RULES: tuple[dict, ...] = (
    {"keywords": ["update subscription", "uppdateringsabonnemang"], "category": "update_subscription", "line": 2},
    {"keywords": ["one-off upgrade", "engångsuppgradering", "offert på uppgradering", "upgrade quote"],
     "category": "upgrade_quote", "line": 2},
    {"keywords": ["database administration", "databasadministration"], "category": "database_administration",
     "line": 2},
    {"keywords": ["installation", "installera", "install", "uppgradering", "uppgradera", "upgrade", "integration",
                  "databas", "database"], "line": 2},
)


class Rule(Protocol):
    keywords: list[str]
    category: str | None
    line: int | None
    organisation: str
    portal_category: str


@dataclass(frozen=True)
class Suggestion:
    """The suggested line and category; None where no rule says."""

    line: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class PlainRule:
    """A rule as plain data (the settings' RoutingRule has the same fields)."""

    keywords: tuple[str, ...] = ()
    category: str | None = None
    line: int | None = None
    organisation: str = ""
    portal_category: str = ""


@lru_cache(maxsize=1024)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """``keyword`` at the start of a word, any case, any white space between its words."""
    words = [re.escape(word) for word in keyword.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words), re.IGNORECASE)


def matches(rule: Rule, text: str, organisation: str | None, portal_category: str | None) -> bool:
    """Whether every condition ``rule`` names holds for this case."""
    if rule.organisation and rule.organisation != (organisation or ""):
        return False
    if rule.portal_category and rule.portal_category.casefold() != (portal_category or "").casefold():
        return False
    return not rule.keywords or any_keyword_pattern(tuple(rule.keywords)).search(text) is not None


@lru_cache(maxsize=256)
def any_keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for "any of ``keywords``" (one scan of the text per rule, not one per keyword)."""
    alternatives = [r"\s+".join(re.escape(word) for word in keyword.split()) for keyword in keywords if keyword.strip()]
    if not alternatives:
        return re.compile(r"(?!)")
    # The word-start check once per position, before the alternatives: inside a
    # word (most positions) the scan moves on at once.
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)


def suggest(rules: Iterable[Rule], text: str, *, organisation: str | None = None,
            portal_category: str | None = None) -> Suggestion:
    """The line and category the first matching rules suggest for ``text`` (subject and first message)."""
    line = category = None
    for rule in rules:
        if (line is not None or rule.line is None) and (category is not None or rule.category is None):
            continue  # nothing this rule could still add
        if matches(rule, text, organisation, portal_category):
            line = line if line is not None else rule.line
            category = category if category is not None else rule.category
    return Suggestion(line, category)
