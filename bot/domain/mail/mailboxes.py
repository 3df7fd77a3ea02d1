"""One sender per mail: the single well-formed mailbox of an address header, or why there is none.

``From: john@customer.example <attacker@evil.example>`` was once credited to john:
``parseaddr`` on the raw header took the first thing that looked like an address.
The rule now: a header names a person only when ``policy.default``'s address
parser finds exactly one mailbox in exactly one header field, without an
InvalidHeaderDefect, its addr-spec is well-formed (``is_mailbox``), and its
display name, once RFC 2047-decoded, holds no other address. Anything else
names no one: it is never credited to a contact and never answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy as email_policy
from email.errors import HeaderDefect, ObsoleteHeaderDefect, UndecodableBytesDefect
from email.policy import EmailPolicy

# RFC 5321 4.5.3.1: local part ≤ 64, path ≤ 256 (so an address ≤ 254).
MAX_LOCAL, MAX_ADDRESS = 64, 254
MAX_HEADER_CHARS = 8192  # the stdlib's address parser is slow on hostile megabyte headers
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*")  # dot-atom only: no quoted local parts, no UTF-8 (no SMTPUTF8)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?")  # a host name with a dot
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")
# Defects that do not make a mailbox doubtful: "Dr. Anna" (a period in a phrase),
# an obsolete route, and 8-bit display names sent without RFC 2047.
_HARMLESS = (ObsoleteHeaderDefect, UndecodableBytesDefect)


@dataclass(frozen=True)
class Mailbox:
    """A person named by a header: the lower-cased addr-spec and the decoded display name."""

    address: str
    name: str


def is_mailbox(address: str) -> bool:
    """Whether ``address`` is one bare, well-formed addr-spec we may credit or send to."""
    local, at, domain = address.rpartition("@")
    return bool(at) and len(address) <= MAX_ADDRESS and len(local) <= MAX_LOCAL \
        and _LOCAL.fullmatch(local) is not None and _DOMAIN.fullmatch(domain) is not None


def sole_mailbox(header: str, values: Sequence[str], policy: EmailPolicy = email_policy.default
                 ) -> tuple[Mailbox | None, str | None]:
    """``(mailbox, None)`` when the ``header`` fields ``values`` name one person, else ``(None, why)``.

    ``why`` names the header and never repeats its value (it reaches logs and Slack).
    """
    if not values:
        return None, f"{header}: missing"
    if len(values) > 1:
        return None, f"{header}: appears {len(values)} times"
    if len(values[0]) > MAX_HEADER_CHARS:
        return None, f"{header}: too long"
    try:
        parsed = policy.header_fetch_parse(header, values[0])
        groups, defects = parsed.groups, parsed.defects
    except Exception as exc:  # the stdlib parser raises on some hostile values (CR/LF in an encoded-word)
        return None, f"{header}: unparseable ({type(exc).__name__})"
    return _judge(header, groups, defects)


def _judge(header: str, groups, defects) -> tuple[Mailbox | None, str | None]:
    if any(isinstance(d, HeaderDefect) and not isinstance(d, _HARMLESS) for d in defects):
        return None, f"{header}: malformed address list"
    if any(group.display_name is not None for group in groups):
        return None, f"{header}: a group, not a mailbox"
    mailboxes = [address for group in groups for address in group.addresses]
    if len(mailboxes) != 1:
        return None, f"{header}: {len(mailboxes)} mailboxes" if mailboxes else f"{header}: no mailbox"
    address, name = mailboxes[0].addr_spec.lower(), " ".join(mailboxes[0].display_name.split())
    if not is_mailbox(address):
        return None, f"{header}: not a well-formed address"
    if any(found.strip(".").lower() != address for found in _ADDRESS_LIKE.findall(name)):
        return None, f"{header}: display name is another address"
    return Mailbox(address, name), None
