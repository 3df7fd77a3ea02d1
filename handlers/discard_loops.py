"""discard-loops: our own mail, bounces and automatic mail never get an answer.

Automatic mail about a ticket (an out-of-office reply to our update, a bounce of
our mail) is recorded on that ticket's event log, but it never reopens it and is
never answered. Everything else automatic is dropped here, before anything else.
"""

from __future__ import annotations

from bot.domain.mail.bounces import parse_bounce
from bot.domain.mail.loops import automatic_reason, is_own_mail
from handlers.base import Discard, PipelineContext
from handlers.match_ticket import locate
from storage.repositories import directory, events, slack_queue

NAME = "discard-loops"


def handle(ctx: PipelineContext) -> None:
    """Raise Discard for own and automatic mail, after recording it where it belongs."""
    message = ctx.message
    if is_own_mail(message):
        raise Discard(f"our own mail came back ({message.header('x-supportbot-id')})")
    reason = automatic_reason(message)
    if reason is None:
        return
    ctx.automatic = reason
    bounce = parse_bounce(message)
    extra = (bounce.original_message_id,) if bounce and bounce.original_message_id else ()
    ticket, _method = locate(ctx, extra_message_ids=extra)
    if ticket is None:
        raise Discard(f"automatic mail ({reason})")
    if bounce is not None:
        _record_bounce(ctx, ticket, bounce)
        raise Discard(f"bounce of our mail on {ticket.reference} ({bounce.status or bounce.action})")
    if not ctx.dry_run:
        events.record_event(ctx.session, ticket, "automatic_mail", ctx.now, actor="customer",
                            sender=message.sender_email, subject=message.subject[:200], reason=reason)
    raise Discard(f"automatic mail recorded on {ticket.reference} ({reason})")


def _record_bounce(ctx: PipelineContext, ticket, bounce) -> None:
    if ctx.dry_run:
        return
    events.record_event(ctx.session, ticket, "bounce", ctx.now, recipient=bounce.recipient, status=bounce.status,
                        action=bounce.action, message_id=bounce.original_message_id)
    contact = directory.find_contact(ctx.session, bounce.recipient) if bounce.recipient else None
    if contact is not None and bounce.permanent:
        contact.bounced_at = ctx.now  # staff see the flag; mail to it is not suppressed
    if ctx.settings.slack.enabled and bounce.permanent:  # said in the card's thread: the customer did not get it
        slack_queue.queue_audit(ctx.session, ticket, ctx.now, f"mail to {bounce.recipient or 'the customer'} bounced "
                                f"({bounce.status or bounce.action}): they did not get it", icon="⚠️",
                                key=f"bounce:{bounce.original_message_id or ctx.now.isoformat()}")
