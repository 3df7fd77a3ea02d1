"""acknowledge: a new ticket gets its receipt; out of hours every accepted message gets one answer.

The answer names the next opening time. A new case sent to the portal already
carries that sentence in the portal answer (one mail, not two), and during
opening hours replies get no automatic answer at all.
"""

from __future__ import annotations

from bot.desk.autoreply import answer, greeting_name, next_opening_text
from handlers.base import PipelineContext

NAME = "acknowledge"


def handle(ctx: PipelineContext) -> None:
    """Queue the receipt or the out-of-hours answer, rate-limited per sender."""
    if ctx.ticket is None or ctx.inquiry is not None:
        return
    ticket, message = ctx.ticket, ctx.message
    lang = ctx.contact.language if ctx.contact else ticket.language
    name = greeting_name(ctx.contact.name if ctx.contact else message.sender_name)
    recipient = ctx.contact.email if ctx.created_ticket and ctx.contact else message.sender_email
    next_open = next_opening_text(ctx, lang)
    base = {"contact_name": name, "reference": ticket.reference, "subject": ticket.subject}
    if next_open is not None:
        answer(ctx, "out_of_hours", to=recipient, lang=lang, context=base | {"next_open_at": next_open}, ticket=ticket)
    elif ctx.created_ticket:
        answer(ctx, "case_received", to=recipient, lang=lang, context=base, ticket=ticket)
