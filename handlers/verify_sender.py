"""verify-sender: a reply to a ticket from someone outside it is never appended; it is quarantined."""

from __future__ import annotations

from bot.domain.mail.dmarc import dmarc_failed
from handlers.base import PipelineContext, Quarantine
from storage.repositories import tickets

NAME = "verify-sender"


def handle(ctx: PipelineContext) -> None:
    """Quarantine forged or foreign replies; DMARC failure on a participant's address counts as forged."""
    if ctx.ticket is None:
        return
    sender = ctx.message.sender_email
    reference = ctx.ticket.reference
    if ctx.match == "subject-foreign" or not tickets.is_participant(ctx.session, ctx.ticket, sender):
        raise Quarantine(f"reply to {reference} from {sender or 'no sender'}, who is not a participant")
    if dmarc_failed(ctx.message):
        raise Quarantine(f"reply to {reference} from {sender} failed DMARC (possibly forged)")
