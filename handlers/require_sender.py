"""require-sender: a mail whose From names no one (bot/domain/mail/mailboxes.py) is never credited; it is quarantined."""

from __future__ import annotations

from handlers.base import PipelineContext, Quarantine

NAME = "require-sender"


def handle(ctx: PipelineContext) -> None:
    """Quarantine a mail without one well-formed sender, naming the header that failed."""
    message = ctx.message
    if not message.sender_email:
        raise Quarantine(f"no sender credited: {message.sender_problem or 'From: no mailbox'}")
