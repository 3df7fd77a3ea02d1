"""Outbox idempotency keys that always fit: 1–200 printable ASCII characters.

A key names what caused its row (``auto:<Message-ID>:<template>``), and a
Message-ID may be 998 characters of anything: a 300-character one made a key
that could not be stored on PostgreSQL (varchar 255) and whose mail could never
be sent (``X-Supportbot-Id`` carries the key), so the row was retried for 48 h.

A key that fits is kept exactly as it is: every key built so far from ordinary
Message-IDs, and every row already stored, stays what it was, so idempotency
holds across the upgrade. A key that does not fit keeps its kind and its last
part (``auto:`` … ``:unknown_sender``) and puts a SHA-256 of the whole key in
between: equal keys stay equal, different keys stay different.
"""

from __future__ import annotations

import hashlib
import re

MAX_KEY_CHARS = 200  # also what mail_compose accepts in X-Supportbot-Id
_FITS = re.compile(r"[\x21-\x7e]{1,200}")
_PART = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def fit_key(key: str) -> str:
    """``key`` itself when it fits, else ``<kind>:sha256=<hex>:<last part>`` (parts only when short and plain)."""
    if _FITS.fullmatch(key):
        return key
    digest = f"sha256={hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"
    head, _, rest = key.partition(":")
    tail = rest.rpartition(":")[2] if rest else ""
    return ":".join([*_plain(head), digest, *_plain(tail)])


def _plain(part: str) -> list[str]:
    return [part] if _PART.fullmatch(part) else []
