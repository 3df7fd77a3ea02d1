"""Forgetting everywhere: every text, JSON and binary column of every table, scrubbed of one person.

``contact forget`` first removes what it knows to be the person's (bot/jobs/privacy.py).
What is left can still name them where no rule looks: a quarantine reason or a
pipeline decision ("new case from registered contact asa@kund.se"), a stored
traceback or delivery error, a colleague's mail quoting theirs, a subject. This
walk reads the schema, not a list of columns, so a column added later is covered.

What it looks for (``identifiers``): the address; the person's names of two words
or more (a lone first name would wipe every other Anna); the phone numbers in
their own messages (Swedish ``0…`` or international ``+…``, 7–15 digits); and
whatever the operator adds (``--also``). In text and JSON each occurrence becomes
"(forgotten)" (in a unique column "(forgotten-<row id>)"); a stored raw mail that
holds one loses its bytes. Primary keys are never rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import JSON, LargeBinary, String, Table, Text, UniqueConstraint, and_, cast, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models.base import Base

FORGOTTEN = "(forgotten)"
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ -]?|0)\d{1,4}(?:[ -]?\d{2,4}){1,4}(?![\w-])")
BATCH = 200


def identifiers(address: str, names: Iterable[str | None], texts: Iterable[str | None], also: Iterable[str] = ()
                ) -> list[str]:
    """The strings that name the person: address, full names, phone numbers in ``texts``, ``also``."""
    found = {address.strip().lower()}
    found |= {" ".join(name.split()) for name in names if name and len(name.split()) >= 2}
    for text in texts:
        found |= {number for number in _PHONE.findall(text or "") if 7 <= sum(c.isdigit() for c in number) <= 15}
    found |= {value.strip() for value in also if len(value.strip()) >= 3}
    return sorted(found, key=len, reverse=True)


def scrub_everywhere(session: Session, needles: list[str]) -> int:
    """Replace ``needles`` in every text and JSON column, purge raw bytes holding one; the rows changed."""
    pattern = re.compile("|".join(re.escape(needle) for needle in needles), re.IGNORECASE)
    changed = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.primary_key:
                continue
            if isinstance(column.type, LargeBinary):
                changed += _purge_bytes(session, table, column, needles)
            elif isinstance(column.type, (String, JSON)):
                changed += _scrub_column(session, table, column, needles, pattern)
    return changed


def _scrub_column(session: Session, table: Table, column, needles: list[str], pattern: re.Pattern) -> int:
    is_json = isinstance(column.type, JSON)
    text = func.lower(cast(column, Text) if is_json else column)
    forms = {form for needle in needles for form in _forms(needle, is_json)}
    keys = list(table.primary_key.columns)
    rows = session.execute(select(*keys, column).where(or_(*(text.contains(f, autoescape=True) for f in forms))))
    changed = 0
    for row in rows.all():
        *key, value = row
        replacement = f"(forgotten-{'-'.join(map(str, key))})" if _unique(table, column) else FORGOTTEN
        new = _replaced(value, pattern, replacement)
        if new != value:
            if isinstance(new, str) and getattr(column.type, "length", None):
                new = new[:column.type.length]
            session.execute(update(table).where(and_(*(k == v for k, v in zip(keys, key)))).values({column.name: new}))
            changed += 1
    return changed


def _replaced(value: Any, pattern: re.Pattern, replacement: str) -> Any:
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, dict):
        return {key: _replaced(item, pattern, replacement) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, pattern, replacement) for item in value]
    return value


def _purge_bytes(session: Session, table: Table, column, needles: list[str]) -> int:
    forms = [form.encode("utf-8") for needle in needles for form in {needle.lower(), needle, needle.upper()}]
    doomed = [key for key, data in _blobs(session, table, column)
              if any(form in data or form in data.lower() for form in forms)]
    [key_column] = table.primary_key.columns
    for start in range(0, len(doomed), BATCH):
        session.execute(update(table).where(key_column.in_(doomed[start:start + BATCH])).values({column.name: None}))
    return len(doomed)


def _blobs(session: Session, table: Table, column) -> Iterator[tuple[Any, bytes]]:
    """(primary key, bytes) of every non-NULL value, in batches (raw mail is kept only for retention_days)."""
    [key_column] = table.primary_key.columns
    after = None
    while True:
        query = select(key_column, column).where(column.is_not(None)).order_by(key_column).limit(BATCH)
        rows = session.execute(query if after is None else query.where(key_column > after)).all()
        if not rows:
            return
        yield from ((key, bytes(data)) for key, data in rows)
        after = rows[-1][0]


def _forms(needle: str, is_json: bool) -> set[str]:
    """How ``needle`` can read after the database's lower() (SQLite folds ASCII only) or inside JSON text."""
    variants = {needle, needle.lower(), needle.upper(), needle.title()}
    if is_json:  # stored with \\uXXXX escapes; lower() folds their hex digits only
        variants |= {json.dumps(variant)[1:-1] for variant in variants}
    return {folded for variant in variants for folded in (variant.lower(), _ascii_lower(variant))}


def _ascii_lower(text: str) -> str:
    return "".join(char.lower() if char.isascii() else char for char in text)


def _unique(table: Table, column) -> bool:
    return bool(column.unique) or any(isinstance(c, UniqueConstraint) and column in c.columns.values()
                                      for c in table.constraints) or \
        any(index.unique and column in index.columns.values() for index in table.indexes)
