"""Delivery status notifications (RFC 3464): which of our mails bounced, for whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

from bot.domain.mail.inbound import InboundMessage

_FINAL_RECIPIENT = re.compile(rb"^(?:Final|Original)-Recipient:\s*[^;]*;\s*<?([^>\s]+)>?", re.I | re.M)
_ACTION = re.compile(rb"^Action:\s*(\w+)", re.I | re.M)
_STATUS = re.compile(rb"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", re.I | re.M)


@dataclass(frozen=True)
class Bounce:
    original_message_id: str | None
    recipient: str | None
    action: str | None  # failed | delayed | delivered | relayed | expanded
    status: str | None  # e.g. 5.1.1

    @property
    def permanent(self) -> bool:
        """A hard bounce: the address does not work."""
        return self.action == "failed" or (self.status or "").startswith("5.")


def parse_bounce(message: InboundMessage) -> Bounce | None:
    """The bounce information in a DSN, or None when ``message`` is not one."""
    status_part = next((a for a in message.attachments if a.content_type == "message/delivery-status"), None)
    original = next(
        (a for a in message.attachments if a.content_type in ("message/rfc822", "text/rfc822-headers")), None
    )
    if status_part is None and original is None:
        return None
    report = status_part.content or b"" if status_part else b""
    return Bounce(
        original_message_id=_message_id(original.content) if original and original.content else None,
        recipient=_first(_FINAL_RECIPIENT, report),
        action=(_first(_ACTION, report) or "").lower() or None,
        status=_first(_STATUS, report),
    )


def _first(pattern: re.Pattern, data: bytes) -> str | None:
    match = pattern.search(data)
    return match.group(1).decode("ascii", "replace").lower() if match else None


def _message_id(headers: bytes) -> str | None:
    value = BytesHeaderParser(policy=compat32).parsebytes(headers).get("Message-ID")
    match = re.search(r"<[^<>\s]+>", str(value or ""))
    return match.group(0) if match else None
