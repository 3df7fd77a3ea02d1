"""Big attachments taken out of a mail before the stdlib parser reads it.

``email`` turns a mail into text, splits it into lines and joins each part again
before base64 decoding: a 25 MiB attachment (a 35 MB mail) held ~150 MB on top of
the mail while it was parsed. Here the base64 bodies of big leaves are located
in the bytes with ``find`` (no copy), the parser gets a skeleton without them, and
each one is decoded straight from a ``memoryview`` of the mail: the attachment's
bytes are the only new copy.

The skeleton names each removed body in a header of its part whose name holds a
random token made for this one parse: a sender cannot forge it. Whatever this
walk does not understand (no boundary, odd nesting) is simply left in place for
the stdlib parser, which remains the judge of the mail's structure.
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser

MIN_CUT_BYTES = 256 * 1024  # below this the stdlib parser's copies cost little
MAX_DEPTH = 20


@dataclass(frozen=True)
class CutMail:
    """A mail with its big base64 leaves removed: the ``skeleton`` to parse, and the bodies by index."""

    skeleton: bytes
    marker: str  # the header that carries a removed body's index
    bodies: tuple[memoryview, ...]

    def decoded(self, index: int) -> bytes:
        """The bytes of removed body ``index`` (base64 decoded as ``email`` would)."""
        body = self.bodies[index]
        try:
            return binascii.a2b_base64(body)
        except binascii.Error:  # bad padding and the like: email's own lenient decoder
            from email._encoded_words import decode_b

            return decode_b(b"".join(bytes(body).splitlines()))[0]


def cut_big_parts(raw: bytes, min_bytes: int = MIN_CUT_BYTES) -> CutMail | None:
    """``raw`` without its base64 leaves of at least ``min_bytes``; None when there are none."""
    if len(raw) < min_bytes:
        return None
    cuts: list[tuple[int, int]] = []  # (start, end) of removed bodies, in order
    _walk(raw, 0, len(raw), 0, min_bytes, cuts)
    if not cuts:
        return None
    marker = f"X-Supportbot-Cut-{secrets.token_hex(8)}"
    view = memoryview(raw)
    pieces: list[bytes] = []
    position = 0
    for index, (start, end) in enumerate(cuts):
        # The part's headers end with a line break and then the blank line at ``start``:
        # the marker goes between them.
        blank = _blank_line_before(raw, start)
        pieces += [raw[position:blank], f"{marker}: {index}\r\n".encode(), raw[blank:start]]
        position = end
    pieces.append(raw[position:])
    return CutMail(b"".join(pieces), marker, tuple(view[start:end] for start, end in cuts))


def _header_end(raw: bytes, start: int, end: int) -> int | None:
    """Where the body of the entity at ``start`` begins (after the blank line); None without one."""
    found = [index + len(separator) for separator in (b"\r\n\r\n", b"\n\n")
             if (index := raw.find(separator, start, end)) != -1]
    return min(found) if found else None


def _blank_line_before(raw: bytes, body_start: int) -> int:
    return body_start - (2 if raw[body_start - 2:body_start] == b"\r\n" else 1)


def _walk(raw: bytes, start: int, end: int, depth: int, min_bytes: int, cuts: list[tuple[int, int]]) -> None:
    body = _header_end(raw, start, end)
    if body is None or depth > MAX_DEPTH:
        return
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[start:body])
    maintype = headers.get_content_maintype()
    if maintype == "multipart":
        boundary = headers.get_param("boundary")
        if isinstance(boundary, str) and boundary:
            for part_start, part_end in _parts(raw, body, end, boundary.encode("ascii", "surrogateescape")):
                _walk(raw, part_start, part_end, depth + 1, min_bytes, cuts)
        return
    if (depth > 0 and maintype not in ("text", "message") and end - body >= min_bytes
            and str(headers.get("content-transfer-encoding", "")).strip().lower() == "base64"):
        cuts.append((body, end))


def _parts(raw: bytes, start: int, end: int, boundary: bytes) -> list[tuple[int, int]]:
    """The (start, end) of each part between ``--boundary`` lines in raw[start:end] (line breaks
    before a delimiter belong to the delimiter, RFC 2046)."""
    delimiter = b"--" + boundary
    parts: list[tuple[int, int]] = []
    part_start = None
    position = start
    while (found := raw.find(delimiter, position, end)) != -1:
        position = found + len(delimiter)
        if found != start and raw[found - 1:found] != b"\n":
            continue  # not at the start of a line
        line_end = raw.find(b"\n", position, end)
        rest = raw[position:line_end if line_end != -1 else end].rstrip(b"\r \t")
        if rest not in (b"", b"--"):
            continue  # a longer boundary that starts like ours
        if part_start is not None:
            part_end = found - 1
            if raw[part_end - 1:part_end] == b"\r":
                part_end -= 1
            parts.append((part_start, max(part_start, part_end)))
        if rest == b"--" or line_end == -1:
            return parts
        part_start = position = line_end + 1
    return parts  # no closing delimiter: the last part is left to the parser
