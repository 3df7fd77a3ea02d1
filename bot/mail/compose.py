"""Build the outgoing ``EmailMessage`` from a rendered message and the envelope facts.

Headers set here, and why:

- ``Message-ID`` is ours and chosen before sending (``make_message_id``), so
  the outbox row knows it and a customer's reply can be matched to the ticket.
- ``In-Reply-To``/``References`` chain the ticket's thread (RFC 5322 3.6.4):
  the last earlier id, and the first plus the most recent ones.
- ``Reply-To: support+<token>@domain`` carries the ticket's reply token.
- ``Auto-Submitted`` (RFC 3834) and ``X-Auto-Response-Suppress: All``
  (Exchange/Outlook) on automatic mail, so that out-of-office robots do not
  answer our robot; never on an agent's personal reply.
- ``X-Supportbot-Id: <outbox key>`` (``SUPPORTBOT_ID_HEADER``) marks our own
  mail, so intake can drop it when it comes back (forwarding rules, bounces
  quoting headers, a mailbox that is also a recipient).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal

from bot.rendering.email import RenderedMessage

SUPPORTBOT_ID_HEADER = "X-Supportbot-Id"
MAX_REFERENCES = 10

_MSG_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>")  # no space, < or >
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_=-]{0,63}")
_OUTBOX_KEY = re.compile(r"[\x21-\x7e]{1,200}")

Recipient = str | tuple[str, str]


class _MessageIdListHeader(UnstructuredHeader):
    """In-Reply-To/References folded one msg-id per line, never RFC 2047-encoded."""

    # The stdlib folds these as unstructured text and encodes any msg-id longer
    # than a line (Outlook's are ~85 characters) as an encoded-word, which
    # breaks threading in every client. A msg-id must stay verbatim.
    def fold(self, *, policy) -> str:
        return f"{self.name}: " + f"{policy.linesep} ".join(str(self).split()) + policy.linesep


def _header_factory() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("in-reply-to", _MessageIdListHeader)
    registry.map_to_type("references", _MessageIdListHeader)
    return registry


# 7-bit transport (non-ASCII headers as RFC 2047), CRLF; see _MessageIdListHeader.
# max_line_length 120 instead of 78: the stdlib folds a value that fits a line of
# its own but not after "Subject: " onto the next line, leaving "Subject:" empty,
# which some clients then show with a leading space. RFC 5322 2.1.1 allows
# up to 998; 120 keeps ordinary subjects and our ids on one line.
MAIL_POLICY = email_policy.SMTP.clone(header_factory=_header_factory(), max_line_length=120)


def make_message_id(domain: str) -> str:
    """A new, globally unique ``<…@domain>`` Message-ID."""
    if not _DOMAIN.fullmatch(domain):
        raise ValueError(f"invalid Message-ID domain {domain!r}")
    return f"<sb-{uuid.uuid4().hex}@{domain}>"


def subject_with_reference(subject: str, reference: str | None) -> str:
    """One-line subject tagged ``[TC-2026-00042] …``, the tag added only once."""
    subject = " ".join(subject.split())
    if not reference:
        return subject
    tag = f"[{reference}]"
    if tag.lower() in subject.lower():
        return subject
    return f"{tag} {subject}".rstrip()


def thread_references(thread: Sequence[str], limit: int = MAX_REFERENCES) -> list[str]:
    """Valid, distinct ids of the thread (oldest first), capped to the first plus the latest."""
    ids: list[str] = []
    for raw in thread:
        msg_id = raw.strip() if raw else ""
        if _MSG_ID.fullmatch(msg_id) and msg_id not in ids:
            ids.append(msg_id)
    if len(ids) > limit:
        # RFC 5322 3.6.4 / common practice: keep the thread's root and the most recent.
        ids = ids[:1] + ids[-(limit - 1):]
    return ids


def reply_address(support_address: str, token: str) -> str:
    """``support+<token>@domain`` for a ticket's reply token."""
    if not _TOKEN.fullmatch(token):
        raise ValueError("reply token must be 1–64 characters of A–Z, a–z, 0–9, _, =, -")
    local, _, domain = support_address.rpartition("@")
    if not local or not domain:
        raise ValueError(f"invalid support address {support_address!r}")
    return f"{local.split('+', 1)[0]}+{token}@{domain}"


def compose_message(
    rendered: RenderedMessage,
    *,
    from_address: str,
    from_name: str,
    to: Sequence[Recipient],
    message_id: str,
    date: datetime,
    outbox_key: str,
    thread: Sequence[str] = (),
    reference: str | None = None,
    reply_token: str | None = None,
    support_address: str | None = None,
    automatic: bool = False,
    auto_submitted: Literal["auto-replied", "auto-generated"] = "auto-replied",
    cc: Sequence[Recipient] = (),
) -> EmailMessage:
    """The message to send: headers as documented above, text + HTML as multipart/alternative.

    ``to``/``cc`` items are addresses or ``(display name, address)`` pairs;
    ``thread`` holds the ticket's earlier Message-IDs, oldest first;
    ``support_address`` (default ``from_address``) is the base of the Reply-To.
    """
    if not _MSG_ID.fullmatch(message_id):
        raise ValueError(f"invalid Message-ID {message_id!r}")
    if not _OUTBOX_KEY.fullmatch(outbox_key):
        raise ValueError("outbox key must be 1–200 printable ASCII characters")
    if date.tzinfo is None:
        raise ValueError("date must be timezone-aware")
    if not to:
        raise ValueError("at least one recipient is required")

    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = Address(display_name=from_name, addr_spec=from_address)
    msg["To"] = [_address(r) for r in to]
    if cc:
        msg["Cc"] = [_address(r) for r in cc]
    if reply_token:
        reply = reply_address(support_address or from_address, reply_token)
        msg["Reply-To"] = Address(display_name=from_name, addr_spec=reply)
    msg["Subject"] = subject_with_reference(rendered.subject, reference)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    _add_threading(msg, thread, message_id)
    if automatic:
        msg["Auto-Submitted"] = auto_submitted
        msg["X-Auto-Response-Suppress"] = "All"
    msg[SUPPORTBOT_ID_HEADER] = outbox_key
    _set_body(msg, rendered)
    msg["Content-Language"] = rendered.language  # after the body: set_content clears Content-* headers
    return msg


def _address(recipient: Recipient) -> Address:
    if isinstance(recipient, tuple):
        name, addr = recipient
        return Address(display_name=name or "", addr_spec=addr)
    return Address(addr_spec=recipient)


def _add_threading(msg: EmailMessage, thread: Sequence[str], own_id: str) -> None:
    ids = thread_references([i for i in thread if i and i.strip() != own_id])
    if ids:
        msg["In-Reply-To"] = ids[-1]
        msg["References"] = " ".join(ids)


def _set_body(msg: EmailMessage, rendered: RenderedMessage) -> None:
    # Quoted-printable keeps Swedish text readable in the raw message and,
    # unlike 8bit, needs no 8BITMIME from the relay.
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # the stdlib repeats it on parts; it belongs on the top level only
