"""Authentication-Results (RFC 8601) as a signal: did the sender's domain fail DMARC?"""

from __future__ import annotations

import re

from bot.domain.mail.inbound import InboundMessage

_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def dmarc_failed(message: InboundMessage) -> bool:
    """True when our receiving server recorded ``dmarc=fail`` for this mail."""
    return bool(_DMARC_FAIL.search(message.header("authentication-results")))
