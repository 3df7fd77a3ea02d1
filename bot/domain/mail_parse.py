"""Raw RFC 5322 bytes → InboundMessage: headers, the best text body, attachments.

Never raises for malformed input: whatever text is recoverable is returned and
the problems are listed in ``defects``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from bot.domain.html_text import html_to_text
from bot.domain.inbound import AttachmentData, InboundMessage
from bot.domain.message_key import message_key
from bot.domain.text_decoding import decode_bytes, repair_surrogates

# Headers kept for the handlers (loop detection, DMARC, threading).
KEPT_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-auto-response-suppress",
    "return-path", "authentication-results", "x-supportbot-id", "x-autoreply", "x-autorespond",
    "x-loop", "content-type", "message-id", "in-reply-to", "references", "from", "sender", "reply-to",
)
MAX_HEADER_CHARS = 16_384


def parse_mail(raw: bytes, *, attachment_max_bytes: int = 25 * 1024 * 1024) -> InboundMessage:
    """Parse ``raw`` with the stdlib parser (policy.default); robust to broken MIME and charsets."""
    msg: EmailMessage = message_from_bytes(raw, policy=policy.default)
    defects = [type(defect).__name__ for defect in msg.defects]
    sender_name, sender_email = _address(_header(msg, "from", defects))
    text, html, content_type = _body(msg, defects)
    return InboundMessage(
        channel="email",
        message_id=message_key(raw),
        sender_email=sender_email,
        sender_name=sender_name,
        to=_addresses(_header(msg, "to", defects)),
        cc=_addresses(_header(msg, "cc", defects)),
        return_path=_return_path(msg, defects),
        subject=" ".join(_header(msg, "subject", defects).split()),
        date=_date(_header(msg, "date", defects)),
        in_reply_to=_message_ids(_header(msg, "in-reply-to", defects)),
        references=_message_ids(_header(msg, "references", defects)),
        text=text,
        html=html,
        attachments=_attachments(msg, attachment_max_bytes, defects),
        headers={name: _header(msg, name, defects) for name in KEPT_HEADERS if name in msg},
        content_type=content_type,
        defects=defects,
    )


def _header(msg: EmailMessage, name: str, defects: list[str]) -> str:
    try:
        value = msg.get(name)
        value = "" if value is None else str(value)
    except Exception as exc:  # malformed RFC 2047 or address syntax inside the header
        defects.append(f"header {name}: {type(exc).__name__}")
        value = msg.get_all(name, failobj=[""])[0]
        value = str(getattr(value, "_parse_tree", value) or "")
    return repair_surrogates(value)[:MAX_HEADER_CHARS]


def _address(value: str) -> tuple[str, str]:
    name, email = parseaddr(value)
    return name.strip(), email.strip().lower()


def _addresses(value: str) -> list[str]:
    return [email.strip().lower() for _name, email in getaddresses([value]) if "@" in email]


def _return_path(msg: EmailMessage, defects: list[str]) -> str | None:
    if "return-path" not in msg:
        return None
    value = _header(msg, "return-path", defects).strip()
    return "" if value in ("<>", "") else parseaddr(value)[1].lower()


def _date(value: str) -> datetime | None:
    try:
        date = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return date if date.tzinfo else date.replace(tzinfo=timezone.utc)


def _message_ids(value: str) -> list[str]:
    return [f"<{part.strip('<> ')}>" for part in value.replace(">", "> ").split() if "@" in part][:100]


def _body(msg: EmailMessage, defects: list[str]) -> tuple[str, str | None, str]:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:  # pragma: no cover - get_body is lenient, but broken trees exist
        defects.append(f"body: {type(exc).__name__}")
        part = None
    if part is None:
        if msg.is_multipart() or msg.get_content_maintype() != "text":
            return "", None, msg.get_content_type()
        part = msg  # a single non-plain text part, e.g. text/enriched or a bad type
    content = _part_text(part, defects)
    if part.get_content_subtype() == "html":
        html = content
        return html_to_text(html), html, "text/html"
    html_part = _html_alternative(msg)
    html = _part_text(html_part, defects) if html_part is not None else None
    return content.replace("\r\n", "\n"), html, part.get_content_type()


def _html_alternative(msg: EmailMessage) -> EmailMessage | None:
    try:
        part = msg.get_body(preferencelist=("html",))
    except Exception:  # pragma: no cover
        return None
    return part


def _part_text(part: EmailMessage, defects: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:  # pragma: no cover - decode=True swallows most errors itself
        defects.append(f"payload: {type(exc).__name__}")
        payload = None
    if payload is None:
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_param("charset"))


def _attachments(msg: EmailMessage, cap: int, defects: list[str]) -> list[AttachmentData]:
    result = []
    try:
        parts = list(msg.iter_attachments()) if msg.is_multipart() else []
    except Exception as exc:  # pragma: no cover
        defects.append(f"attachments: {type(exc).__name__}")
        parts = []
    for part in _flatten(parts):
        data = _part_bytes(part)
        filename = repair_surrogates(part.get_filename() or "") or _default_name(part)
        result.append(
            AttachmentData(
                filename=filename[:255],
                content_type=part.get_content_type(),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                inline=part.get_content_disposition() == "inline" or bool(part.get("content-id")),
                content=data if len(data) <= cap else None,
            )
        )
    return result


def _flatten(parts):
    # Nested multiparts inside the attachment list (a forwarded mail's own
    # parts, related images) are walked; a message/rfc822 stays one file.
    for part in parts:
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            yield from _flatten(p for p in part.iter_parts())
        else:
            yield part


def _part_bytes(part: EmailMessage) -> bytes:
    if part.get_content_maintype() != "message":
        return part.get_payload(decode=True) or b""
    # message/rfc822 and message/delivery-status hold parsed sub-messages, which
    # get_payload(decode=True) returns as None: keep their bytes as sent.
    try:
        whole = part.as_bytes(policy=policy.compat32)
    except Exception:  # pragma: no cover - a sub-message too broken to serialise
        return b""
    for separator in (b"\r\n\r\n", b"\n\n"):
        head, found, body = whole.partition(separator)
        if found:
            return body
    return b""


def _default_name(part: EmailMessage) -> str:
    subtype = part.get_content_subtype()
    return "forwarded-message.eml" if part.get_content_type() == "message/rfc822" else f"attachment.{subtype}"
