"""Our addresses and the reply tokens in their +sub-addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN = re.compile(r"^[a-z2-7]{16,64}$")  # base32 lower case, see storage.repositories.tickets


def reply_token(recipients: Iterable[str], our_addresses: Iterable[str]) -> str | None:
    """The ticket token from ``support+<token>@domain`` among ``recipients``, if any."""
    ours = {address.strip().lower() for address in our_addresses}
    for recipient in recipients:
        local, _, domain = recipient.strip().strip("<>").lower().rpartition("@")
        base, plus, token = local.partition("+")
        if plus and f"{base}@{domain}" in ours and _TOKEN.match(token):
            return token
    return None


def is_ours(address: str, our_addresses: Iterable[str]) -> bool:
    """Whether ``address`` (or its base without +token) is one of our own addresses."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.partition('+')[0]}@{domain}" in {a.strip().lower() for a in our_addresses}
