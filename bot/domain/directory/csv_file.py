"""The directory CSV as real desks save it: the text, the delimiter, the header, the records with their line numbers.

What arrives in practice: UTF-8 with or without a byte-order mark ("CSV UTF-8"
from Excel), UTF-16 from Excel's "Unicode text", ``;`` as the delimiter where the
decimal comma is Swedish (Excel in Swedish saves "CSV (semikolonavgränsad)"), an
Excel ``sep=;`` first line, CRLF line ends, quoted fields with the delimiter or a
line break inside, rows of empty cells at the end. The delimiter is the one that
splits the header into known column names (or the one given). Line numbers are the
file's own, so "line 7" is the line an editor shows, even after a quoted line break.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

REQUIRED = ("customer_number", "organisation", "email", "name", "role", "language", "authorised")
OPTIONAL = ("phone", "slack_user_id", "services")
DELIMITERS = (",", ";", "\t")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class FileError(Exception):
    """The file as a whole cannot be read (encoding, header); ``line`` says where."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


@dataclass(frozen=True)
class Record:
    """One row of the file: the line it starts on and its values by column name (or why it has none)."""

    line: int
    values: dict[str, str]
    problem: str | None = None


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    delimiter: str
    records: tuple[Record, ...]


def read_csv(data: bytes, *, encoding: str = "utf-8", delimiter: str | None = None) -> CsvFile:
    """The records of a directory file; FileError for what makes the whole file unreadable."""
    text = decode(data, encoding)
    lines = io.StringIO(text, newline="")
    first = text.split("\n", 1)[0].strip("\r")
    if first.lower().startswith("sep=") and len(first) == 5:  # Excel's hint names the delimiter
        delimiter = delimiter or first[4]
        lines.readline()
        offset = 1
    else:
        offset = 0
    delimiter = delimiter or sniff_delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FileError(1 + offset, "no header: the file is empty")
        columns = check_header(header, 1 + offset)
        return CsvFile(columns, delimiter, tuple(_records(reader, columns, offset)))
    except csv.Error as exc:
        raise FileError(reader.line_num + offset, f"not readable as CSV ({exc})") from None


def decode(data: bytes, encoding: str) -> str:
    """``data`` as text: a UTF-16 byte-order mark wins; a UTF-8 one is dropped; FileError names the first bad line."""
    if data.startswith(_UTF16_BOMS):
        encoding = "utf-16"
    elif encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        bad = data[exc.start:exc.start + 1].hex().upper()
        raise FileError(line, f"not {encoding.removesuffix('-sig')} text (byte 0x{bad}); save it as "
                              f"\"CSV UTF-8\" or give its encoding (e.g. cp1252)") from None
    except LookupError:
        raise FileError(1, f"unknown encoding {encoding!r}") from None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names (``,`` when none does)."""
    known = set(REQUIRED) | set(OPTIONAL)

    def score(candidate: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=candidate), [])
        return sum(_column(cell) in known for cell in cells), len(cells)

    best = max(DELIMITERS, key=score)
    return best if score(best)[0] else ","


def check_header(header: list[str], line: int) -> tuple[str, ...]:
    """The column names, lower-cased; FileError naming every missing, unknown or repeated one."""
    columns = tuple(_column(cell) for cell in header)
    while columns and not columns[-1]:  # Excel's trailing empty cells
        columns = columns[:-1]
    problems = []
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    unknown = [name or "(empty)" for name in columns if name not in REQUIRED + OPTIONAL]
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                        f"(known: {', '.join(REQUIRED + OPTIONAL)})")
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append(f"repeated column {', '.join(repeated)}")
    if problems:
        raise FileError(line, "; ".join(problems))
    return columns


def _column(cell: str) -> str:
    return cell.strip().strip("\ufeff").strip().lower()


def _records(reader, columns: tuple[str, ...], offset: int):
    start = reader.line_num + 1
    for cells in reader:
        line, start = start + offset, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a row of empty cells
        while len(cells) > len(columns) and not cells[-1].strip():
            cells = cells[:-1]
        if len(cells) != len(columns):
            yield Record(line, {}, f"has {len(cells)} fields, the header has {len(columns)}")
            continue
        yield Record(line, dict(zip(columns, cells)))
