"""The file's records checked one by one and against each other: good rows, and every bad one with its reason.

Against each other: one row per contact (an e-mail on two lines rejects both, as
nothing says which is right), one name per customer number (a later row naming
the organisation differently is rejected), one contact per Slack user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.domain.directory import fields
from bot.domain.directory.csv_file import Record


@dataclass(frozen=True)
class DirectoryRow:
    """One contact as the file gives it; ``given`` holds the optional columns the file has."""

    line: int
    customer_number: str
    organisation: str
    email: str
    name: str
    role: str
    language: str
    authorised: bool
    phone: str | None = None
    slack_user_id: str | None = None
    services: tuple[str, ...] = ()
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class Checked:
    """The good rows, the rejected ones (by line), and what the rejected ones named (so --prune spares them)."""

    rows: list[DirectoryRow] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    spared_numbers: set[str] = field(default_factory=set)
    spared_emails: set[str] = field(default_factory=set)


_PARSERS: dict[str, Callable[[str], object]] = {
    "customer_number": fields.customer_number,
    "organisation": lambda value: fields.text("organisation", value, required=True),
    "email": fields.email,
    "name": lambda value: fields.text("name", value),
    "role": fields.role,
    "language": fields.language,
    "authorised": fields.authorised,
    "phone": fields.phone,
    "slack_user_id": fields.slack_user_id,
    "services": lambda value: tuple(fields.services(value)),
}


def check_records(records: Iterable[Record]) -> Checked:
    """Each record parsed, then the rows checked against each other."""
    checked = Checked()
    parsed: list[DirectoryRow] = []
    for record in records:
        row, reasons = parse_record(record)
        if row is None:
            checked.rejected.append(Rejected(record.line, "; ".join(reasons)))
            _spare(checked, record.values)
        else:
            parsed.append(row)
    conflicts = _conflicts(parsed)
    for row in parsed:
        if row.line in conflicts:
            checked.rejected.append(Rejected(row.line, conflicts[row.line]))
            _spare(checked, {"customer_number": row.customer_number, "email": row.email})
        else:
            checked.rows.append(row)
    checked.rejected.sort(key=lambda rejected: rejected.line)
    return checked


def parse_record(record: Record) -> tuple[DirectoryRow | None, list[str]]:
    """The row, or every reason it cannot be one."""
    if record.problem:
        return None, [record.problem]
    values, reasons = {}, []
    for column, raw in record.values.items():
        try:
            values[column] = _PARSERS[column](raw)
        except fields.FieldError as exc:
            reasons.append(str(exc))
    if reasons:
        return None, reasons
    given = frozenset(column for column in ("phone", "slack_user_id", "services") if column in values)
    return DirectoryRow(line=record.line, given=given, **values), []


def _conflicts(rows: list[DirectoryRow]) -> dict[int, str]:
    """Line → reason for rows that contradict another row."""
    reasons: dict[int, str] = {}
    by_email, by_slack = defaultdict(list), defaultdict(list)
    for row in rows:
        by_email[row.email].append(row.line)
        if row.slack_user_id:
            by_slack[row.slack_user_id].append(row.line)
    for email, lines in by_email.items():
        if len(lines) > 1:
            reasons.update({line: f"email {email} is on lines {_lines(lines)}: one row per contact" for line in lines})
    for user, lines in by_slack.items():
        if len(lines) > 1:
            reasons.update({line: f"slack_user_id {user} is on lines {_lines(lines)}: one contact per Slack user"
                            for line in lines if line not in reasons})
    first_name: dict[str, DirectoryRow] = {}
    for row in rows:
        first = first_name.setdefault(row.customer_number, row)
        if first.organisation != row.organisation and row.line not in reasons:
            reasons[row.line] = (f"organisation {fields.shown(row.organisation)} for customer number "
                                 f"{row.customer_number}, but line {first.line} says {fields.shown(first.organisation)}")
    return reasons


def _lines(lines: list[int]) -> str:
    return ", ".join(str(line) for line in lines[:-1]) + f" and {lines[-1]}"


def _spare(checked: Checked, values: dict[str, object]) -> None:
    checked.spared_numbers.add(str(values.get("customer_number") or "").strip())
    checked.spared_emails.add(str(values.get("email") or "").strip().lower())
