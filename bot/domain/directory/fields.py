"""The directory's vocabulary, one parser per field: shared by the CSV import and the portal's events.

Each parser takes what a file or an event holds and returns the stored value,
or raises :class:`FieldError` with a reason an operator can act on ("role
'admin' is not one of …"). The portal and Swedish Excel speak Swedish, so the
roles have their Swedish names too (the vendor's support page says
huvudadministratör and IT-ansvarig).
"""

from __future__ import annotations

import re

from bot.domain.mail.mailboxes import is_mailbox

ROLES = {
    "main_admin": "main_admin", "huvudadministratör": "main_admin", "huvudadministrator": "main_admin",
    "it_contact": "it_contact", "it-ansvarig": "it_contact",
}
ROLE_NAMES = "main_admin, it_contact (or huvudadministratör, IT-ansvarig)"
LANGUAGES = ("sv", "en")
_TRUE, _FALSE = ("yes", "true", "1", "ja"), ("no", "false", "0", "nej")
MAX_NAME, MAX_PHONE, MAX_SERVICE, MAX_SERVICES = 255, 64, 100, 50

_CUSTOMER_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
_PHONE = re.compile(r"\+?[0-9][0-9 ()/.-]{4,62}")
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,20}")  # as bot/slack/text.py: nothing else becomes a mention
# PostgreSQL text cannot hold NUL; a line break in a name would end up in a mail header. Tabs are spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


class FieldError(ValueError):
    """A value the directory cannot store; the message says why, quoting the value shortened."""


def shown(value: str, limit: int = 40) -> str:
    """``value`` quoted for a reason, cut at ``limit`` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def customer_number(value: str) -> str:
    """The organisation's customer number: letters, digits, ``.``, ``_``, ``-``; at most 64."""
    value = value.strip()
    if not value:
        raise FieldError("customer_number is empty")
    if not _CUSTOMER_NUMBER.fullmatch(value):
        raise FieldError(f"customer_number {shown(value)} is not a customer number (letters, digits, . _ -; at most 64)")
    return value


def text(field: str, value: str, *, required: bool = False, limit: int = MAX_NAME) -> str:
    """A one-line name: without control characters, runs of spaces made one, at most ``limit`` characters."""
    if _CONTROL.search(value):
        raise FieldError(f"{field} contains control characters")
    value = " ".join(value.split())
    if required and not value:
        raise FieldError(f"{field} is empty")
    if len(value) > limit:
        raise FieldError(f"{field} is longer than {limit} characters")
    return value


def email(value: str) -> str:
    """A bare, well-formed address, lower-cased (contacts are matched case-insensitively)."""
    value = value.strip()
    if not value:
        raise FieldError("email is empty")
    if not is_mailbox(value):
        raise FieldError(f"email {shown(value)} is not an e-mail address")
    return value.lower()


def role(value: str) -> str:
    """``main_admin`` or ``it_contact``, from either name in either language."""
    found = ROLES.get(value.strip().lower())
    if found is None:
        raise FieldError(f"role {shown(value.strip())} is not one of {ROLE_NAMES}")
    return found


def language(value: str) -> str:
    """``sv`` or ``en``."""
    found = value.strip().lower()
    if found not in LANGUAGES:
        raise FieldError(f"language {shown(value.strip())} is not sv or en")
    return found


def authorised(value: str) -> bool:
    """yes/no, true/false, 1/0 (and ja/nej)."""
    found = value.strip().lower()
    if found in _TRUE:
        return True
    if found in _FALSE:
        return False
    raise FieldError(f"authorised {shown(value.strip())} is not yes/no, true/false or 1/0")


def phone(value: str) -> str | None:
    """A phone number as written (digits, spaces, + ( ) / . -), or None when empty."""
    value = " ".join(value.split())
    if not value:
        return None
    if not _PHONE.fullmatch(value) or len(value) > MAX_PHONE:
        raise FieldError(f"phone {shown(value)} is not a phone number")
    return value


def slack_user_id(value: str) -> str | None:
    """A Slack user id (``U0ABC123``), or None when empty."""
    value = value.strip()
    if not value:
        return None
    if not _SLACK_USER.fullmatch(value):
        raise FieldError(f"slack_user_id {shown(value)} is not a Slack user id (U… or W…)")
    return value


def services(value: str | list[str]) -> list[str]:
    """The ordered add-on services: ``;``-separated in a file, a list in an event; blanks and repeats dropped."""
    parts = value.split(";") if isinstance(value, str) else list(value)
    found: list[str] = []
    for part in parts:
        name = text("services", part, limit=MAX_SERVICE)
        if name and name not in found:
            found.append(name)
    if len(found) > MAX_SERVICES:
        raise FieldError(f"services lists {len(found)} services, at most {MAX_SERVICES}")
    return found
