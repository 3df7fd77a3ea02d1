"""The normalised inbound message every transport produces and every handler reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AttachmentData:
    """A file carried by a message; ``filename`` is data to show, never a path to open."""

    filename: str
    content_type: str
    size: int
    sha256: str
    inline: bool = False
    content: bytes | None = None  # None when over the size cap


@dataclass
class InboundMessage:
    """A customer message, whatever the channel it came through."""

    channel: str  # email | slack
    message_id: str  # dedupe key: Message-ID, or slack:<channel>:<ts>
    sender_email: str  # "" when no one is credited: see sender_problem
    sender_name: str = ""
    # Why the mail names no sender (bot/domain/mail/mailboxes.py), e.g. "From: 2 mailboxes"; None when it names one.
    sender_problem: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    envelope_to: list[str] = field(default_factory=list)
    return_path: str | None = None  # None: no Return-Path header; "" : null sender <>
    subject: str = ""
    date: datetime | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str | None = None
    attachments: list[AttachmentData] = field(default_factory=list)
    # Lower-cased header names → raw values, for loop detection and DMARC.
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"
    defects: list[str] = field(default_factory=list)
    raw_id: int | None = None
    # Slack only: where the message sits.
    slack_channel: str | None = None
    slack_ts: str | None = None
    slack_thread_ts: str | None = None
    slack_user: str | None = None
    # The reply's own text (quoted history and signature removed): set by the
    # parser, so a backlog computes it in the parse workers; see fresh_text().
    fresh: str | None = None

    def fresh_text(self) -> str:
        """The new part of ``text``; computed once."""
        if self.fresh is None:
            from bot.domain.mail.quotes import fresh_text

            self.fresh = fresh_text(self.text)
        return self.fresh

    def header(self, name: str) -> str:
        """A header's value, or "" when absent."""
        return self.headers.get(name.lower(), "")
