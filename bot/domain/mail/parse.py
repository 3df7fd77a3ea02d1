"""Raw RFC 5322 bytes → InboundMessage: headers, the best text body, attachments.

Never raises for malformed input: whatever text is recoverable is returned and
the problems are listed in ``defects``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.header import decode_header, make_header
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from bot.domain.mail.big_parts import CutMail, cut_big_parts
from bot.domain.mail.html_text import html_to_text
from bot.domain.mail.inbound import AttachmentData, InboundMessage
from bot.domain.mail.mailboxes import sole_mailbox
from bot.domain.mail.message_key import message_key
from bot.domain.mail.text_decoding import decode_bytes, repair_surrogates, without_nul

# Headers kept for the handlers (loop detection, DMARC, threading).
KEPT_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "x-auto-response-suppress",
    "return-path", "authentication-results", "x-supportbot-id", "x-autoreply", "x-autorespond",
    "x-loop", "content-type", "message-id", "in-reply-to", "references", "from", "sender", "reply-to",
)
MAX_HEADER_CHARS = 16_384
# Repeated fields of these are kept joined (", "), so that two Reply-To lines read as two mailboxes.
JOINED_HEADERS = ("sender", "reply-to")


class _OncePolicy(EmailPolicy):
    """``policy.default``, except that a header value is parsed into its object once.

    The default policy builds a new structured header on every access, and both
    the parser and ``get_body`` ask each part for its Content-Type over and over
    (about 17 times per mail of the peer corpus): that was half the cost of a
    parse. Header objects are immutable, so equal (name, value) pairs share one.
    """

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name") or len(value) > 2048:  # a hostile huge header is not kept
            return super().header_fetch_parse(name, value)
        key = (name, value)
        header = _PARSED_HEADERS.get(key)
        if header is None:
            if len(_PARSED_HEADERS) >= 1024:  # bounded: a few mails' worth is all that pays
                _PARSED_HEADERS.clear()
            header = _PARSED_HEADERS[key] = super().header_fetch_parse(name, value)
        return header


_PARSED_HEADERS: dict[tuple[str, str], object] = {}
PARSE_POLICY = _OncePolicy()


def parse_mail(raw: bytes, *, attachment_max_bytes: int = 25 * 1024 * 1024) -> InboundMessage:
    """Parse ``raw`` with the stdlib parser (policy.default semantics); robust to broken MIME and charsets."""
    try:
        message = _clean(_parse(raw, attachment_max_bytes))
    except RecursionError:
        # Hostile nesting (~1000 levels) exhausts the stdlib parser's recursion:
        # keep the headers and the bytes as text, and say what happened.
        message = _clean(_flat(raw))
    message.fresh_text()  # here, where a backlog's parse runs in worker processes
    return message


def _parse(raw: bytes, attachment_max_bytes: int) -> InboundMessage:
    cut = cut_big_parts(raw)  # big attachments are decoded from the bytes, not through the parser
    msg: EmailMessage = message_from_bytes(cut.skeleton if cut else raw, policy=PARSE_POLICY)
    defects = [type(defect).__name__ for defect in msg.defects]
    # Header values come from raw_items(): policy.default builds a structured
    # header object on every access, which made header handling half the cost
    # of a parse. Only the headers shown to people are RFC 2047-decoded.
    headers = _raw_headers(msg)
    sender_name, sender_email, problem = _sender([value for name, value in msg.raw_items() if name.lower() == "from"],
                                                 defects)
    text, html, content_type, body_parts = _body(msg, defects)
    return InboundMessage(
        channel="email",
        message_id=message_key(raw),
        sender_email=sender_email,
        sender_name=sender_name,
        sender_problem=problem,
        to=_addresses(headers.get("to", "")),
        cc=_addresses(headers.get("cc", "")),
        return_path=_return_path(headers),
        subject=" ".join(_decoded(headers.get("subject", ""), "subject", defects).split()),
        date=_date(headers.get("date", "")),
        in_reply_to=_message_ids(headers.get("in-reply-to", "")),
        references=_message_ids(headers.get("references", "")),
        text=text,
        html=html,
        attachments=_attachments(msg, body_parts, attachment_max_bytes, defects, cut),
        headers={name: value for name, value in headers.items() if name in KEPT_HEADERS},
        content_type=content_type,
        defects=defects,
    )


def _flat(raw: bytes) -> InboundMessage:
    from email.parser import BytesHeaderParser

    msg = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    headers = {name.lower(): repair_surrogates(" ".join(str(value).split()))[:MAX_HEADER_CHARS]
               for name, value in reversed(msg.items())}
    defects = ["RecursionError: MIME structure nested too deep; kept as text"]
    name, email, problem = _sender([str(value) for value in msg.get_all("From") or ()], defects)
    body = raw.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[-1]
    return InboundMessage(
        channel="email", message_id=message_key(raw), sender_email=email, sender_name=name, sender_problem=problem,
        to=_addresses(headers.get("to", "")), subject=" ".join(_decoded(headers.get("subject", ""), "subject",
                                                                        defects).split()),
        text=decode_bytes(body[:1_000_000]), headers={k: v for k, v in headers.items() if k in KEPT_HEADERS},
        content_type="text/plain", defects=defects,
    )


def _clean(message: InboundMessage) -> InboundMessage:
    """No NUL characters in anything that becomes a database text value."""
    for name in ("sender_email", "sender_name", "subject", "text", "content_type", "return_path"):
        value = getattr(message, name)
        if isinstance(value, str):
            setattr(message, name, without_nul(value))
    if message.html is not None:
        message.html = without_nul(message.html)
    message.to, message.cc = [without_nul(a) for a in message.to], [without_nul(a) for a in message.cc]
    message.in_reply_to = [without_nul(m) for m in message.in_reply_to]
    message.references = [without_nul(m) for m in message.references]
    message.headers = {k: without_nul(v) for k, v in message.headers.items()}
    message.defects = list(dict.fromkeys(message.defects))[:20]  # hostile MIME repeats one defect thousands of times
    message.attachments = [a if "\x00" not in a.filename and "\x00" not in a.content_type else
                           type(a)(**{**a.__dict__, "filename": without_nul(a.filename),
                                      "content_type": without_nul(a.content_type)})
                           for a in message.attachments]
    return message


def _raw_headers(msg: EmailMessage) -> dict[str, str]:
    """First value of each header (all of JOINED_HEADERS), unfolded, 8-bit bytes repaired; not RFC 2047-decoded."""
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in headers:
            headers[key] = repair_surrogates(" ".join(str(value).split()))[:MAX_HEADER_CHARS]
        elif key in JOINED_HEADERS:
            headers[key] = f"{headers[key]}, {repair_surrogates(' '.join(str(value).split()))}"[:MAX_HEADER_CHARS]
    return headers


def _decoded(value: str, name: str, defects: list[str]) -> str:
    """RFC 2047 encoded-words decoded; malformed ones are kept as they are."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except Exception as exc:  # unknown charset, bad base64 inside an encoded-word
        defects.append(f"header {name}: {type(exc).__name__}")
        return value


def _sender(values: list[str], defects: list[str]) -> tuple[str, str, str | None]:
    """(display name, address, None) of the one mailbox of From, else ("", "", why no one is credited)."""
    mailbox, problem = sole_mailbox("From", values, PARSE_POLICY)
    if mailbox is None:
        defects.append(f"{problem}: no sender credited")
        return "", "", problem
    return repair_surrogates(mailbox.name), mailbox.address, None


def _addresses(value: str) -> list[str]:
    return [email.strip().lower() for _name, email in getaddresses([value]) if "@" in email]


def _return_path(headers: dict[str, str]) -> str | None:
    if "return-path" not in headers:
        return None
    value = headers["return-path"].strip()
    return "" if value in ("<>", "") else parseaddr(value)[1].lower()


def _date(value: str) -> datetime | None:
    try:
        date = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return date if date.tzinfo else date.replace(tzinfo=timezone.utc)


def _message_ids(value: str) -> list[str]:
    return [f"<{part.strip('<> ')}>" for part in value.replace(">", "> ").split() if "@" in part][:100]


def _body(msg: EmailMessage, defects: list[str]) -> tuple[str, str | None, str, tuple]:
    """(text, html, content type of the chosen part, the parts used as body)."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:  # pragma: no cover - get_body is lenient, but broken trees exist
        defects.append(f"body: {type(exc).__name__}")
        part = None
    if part is None:
        if msg.get_content_maintype() == "multipart" and not msg.is_multipart():
            # The declared boundary never appears: the parser kept the body as
            # one string. Recover the text parts from it by hand.
            return _recover_parts(msg.get_payload(decode=True) or b""), None, "text/plain", ()
        if msg.is_multipart() or msg.get_content_maintype() != "text":
            return "", None, msg.get_content_type(), ()
        part = msg  # a single non-plain text part, e.g. text/enriched or a bad type
    content = _part_text(part, defects)
    if part.get_content_subtype() == "html":
        return html_to_text(content), content, "text/html", (part,)
    html_part = _html_alternative(msg)
    html = _part_text(html_part, defects) if html_part is not None else None
    return content.replace("\r\n", "\n"), html, part.get_content_type(), (part, html_part)


_BOUNDARY_LINE = re.compile(r"^--\S+[ \t]*\r?$", re.MULTILINE)


def _recover_parts(body: bytes) -> str:
    """Text of the parts in a multipart body whose boundary does not match its declaration."""
    texts = []
    payload = body.decode("ascii", "surrogateescape")  # bytes kept as they are, split as text
    for chunk in _BOUNDARY_LINE.split(payload):
        if not chunk.strip():
            continue
        part = message_from_bytes(chunk.lstrip("\r\n").encode("ascii", "surrogateescape"), policy=policy.default)
        if part.keys() and part.get_content_maintype() == "text" and not part.get_filename():
            text = _part_text(part, [])
            texts.append(html_to_text(text) if part.get_content_subtype() == "html" else text.strip())
    plain = [text for text in texts if text]
    # The first text part is the message; later ones are its HTML twin or attachments.
    return plain[0].replace("\r\n", "\n") if plain else decode_bytes(body).strip()


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


def _attachments(msg: EmailMessage, body_parts: tuple, cap: int, defects: list[str],
                 cut: CutMail | None = None) -> list[AttachmentData]:
    result = []
    for part in _leaves(msg):
        defects.extend(type(defect).__name__ for defect in part.defects)
        if any(part is used for used in body_parts):
            continue
        removed = part.get(cut.marker) if cut is not None else None
        data = cut.decoded(int(removed)) if removed is not None else _part_bytes(part)
        filename = repair_surrogates(part.get_filename() or "") or _default_name(part)
        disposition = part.get_content_disposition()
        result.append(
            AttachmentData(
                filename=filename[:255],
                content_type=part.get_content_type(),
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                # Gmail gives every attachment a Content-ID; only an explicit
                # inline disposition, or a Content-ID without any, means inline.
                inline=disposition == "inline" or (disposition is None and bool(part.get("content-id"))),
                content=data if len(data) <= cap else None,
            )
        )
    return result


def _leaves(part: EmailMessage, depth: int = 0):
    """Every part below the top that is not a multipart; a message/* part is one leaf."""
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        if depth >= 100:  # hostile nesting: what lies deeper is not looked at
            return
        for child in part.iter_parts():
            yield from _leaves(child, depth + 1)
    elif depth > 0:
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
