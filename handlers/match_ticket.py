"""match-ticket: reply token → our Message-IDs → subject reference (participants only)."""

from __future__ import annotations

from bot.domain.mail.addresses import reply_token
from bot.domain.mail.subjects import find_reference
from handlers.base import PipelineContext
from storage.models import Ticket
from storage.repositories import tickets

NAME = "match-ticket"


def our_addresses(ctx: PipelineContext) -> list[str]:
    """Every address customers write to."""
    return [ctx.settings.desk.support_address, *ctx.settings.smtp_ingress.recipients]


def locate(ctx: PipelineContext, *, extra_message_ids: tuple[str, ...] = ()) -> tuple[Ticket | None, str | None]:
    """Find the ticket a message belongs to, and how; (None, None) when it is new."""
    message = ctx.message
    token = reply_token([*message.envelope_to, *message.to, *message.cc], our_addresses(ctx))
    if token and (ticket := tickets.find_by_reply_token(ctx.session, token)):
        return ticket, "token"
    # Newest first: In-Reply-To, then References from the end (RFC 5322 3.6.4).
    if ticket := tickets.find_by_message_id(
        ctx.session, *extra_message_ids, *message.in_reply_to, *reversed(message.references)
    ):
        return ticket, "message-id"
    reference = find_reference(message.subject, ctx.settings.desk.reference_prefix)
    if reference and (ticket := tickets.find_by_reference(ctx.session, reference)):
        # A reference in a subject is guessable: it only counts for participants.
        if tickets.is_participant(ctx.session, ticket, message.sender_email):
            return ticket, "subject"
        return ticket, "subject-foreign"
    return None, None


def handle(ctx: PipelineContext) -> None:
    """Set ``ctx.ticket`` and ``ctx.match`` when the message belongs to an existing ticket."""
    ticket, method = locate(ctx)
    if ticket is not None:
        ctx.ticket, ctx.match = ticket, method
        ctx.decide(f"matched {ticket.reference} by {method}")
