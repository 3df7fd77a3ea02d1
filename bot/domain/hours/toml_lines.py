"""Find source lines for values that ``tomllib`` parsed (it reports lines only for syntax errors)."""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[")


class TableLines:
    """Line numbers (1-based) of the ``[[name]]`` entries of a TOML text and of their keys.

    A heuristic scan, not a TOML parser: it expects each entry as its own
    ``[[name]]`` header, which is how the documented format is written. If the
    scan does not find one header per entry (inline tables, say), every
    entry is placed at the line that first mentions ``name``.
    """

    def __init__(self, text: str, name: str, count: int) -> None:
        self._lines = text.splitlines()
        header = re.compile(r"^\s*\[\[\s*(?:%s|\"%s\")\s*\]\]" % (re.escape(name), re.escape(name)))
        starts = [number for number, line in enumerate(self._lines, 1) if header.match(line)]
        if len(starts) != count:
            mention = re.compile(r"^\s*\"?%s\"?\s*=" % re.escape(name))
            first = next((n for n, line in enumerate(self._lines, 1) if mention.match(line)), 1)
            starts = [first] * count
        self._starts = starts

    def entry(self, index: int) -> int:
        """The line of the entry's header."""
        return self._starts[index]

    def key(self, index: int, key: str) -> int:
        """The line where the entry sets ``key``, else the entry's header line."""
        start = self._starts[index]
        pattern = re.compile(r"^\s*\"?%s\"?\s*=" % re.escape(key))
        for number in range(start + 1, len(self._lines) + 1):
            line = self._lines[number - 1]
            if _HEADER.match(line):
                break
            if pattern.match(line):
                return number
        return start


def top_level_key_line(text: str, key: str) -> int:
    """The line where a top-level ``key`` or a ``[key]`` table starts, else 1."""
    name = r"\"?%s\"?" % re.escape(key)
    assignment = re.compile(r"^\s*%s\s*[=.]" % name)
    table = re.compile(r"^\s*\[+\s*%s\s*[\].]" % name)
    in_root = True
    for number, line in enumerate(text.splitlines(), 1):
        if table.match(line) or (in_root and assignment.match(line)):
            return number
        in_root = in_root and not _HEADER.match(line)
    return 1
