"""Outside text on an operator's terminal: control characters are printed escaped, never obeyed.

An attachment named ``"\\x1b]2;pwned\\x07invoice.pdf"`` retitled the terminal of whoever
ran `mail inspect`, and ESC/CSI sequences can rewrite what the screen shows. Every
value that came from a mail goes through ``printable`` (text) or ``safe_json`` before
``click.echo``. Bidi overrides are escaped too: they make a name read backwards.
"""

from __future__ import annotations

import re

# C0 (but TAB/LF in multi-line text), DEL, C1 (0x9b is a one-byte CSI), bidi controls,
# BOM, and lone surrogates (undecodable bytes) that a terminal cannot show anyway.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\ud800-\udfff]")  # json.dumps already escapes C0


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character as ``\\xNN``/``\\uNNNN``; ``lines`` keeps line breaks and tabs."""
    if lines:
        return _LINES.sub(_escape, text.replace("\r\n", "\n"))
    return _ONE_LINE.sub(_escape, text)


def safe_json(document: str) -> str:
    """JSON text from ``json.dumps(..., ensure_ascii=False)`` with the characters it leaves raw escaped."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", document)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
