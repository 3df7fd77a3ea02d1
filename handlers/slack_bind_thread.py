"""slack-bind-thread: a ticket opened from a customer-channel message keeps that thread as its customer thread.

So later replies in the thread match it (slack-match-thread) and what the desk
tells the customer goes there as a thread reply, not by mail.
"""

from __future__ import annotations

from handlers.base import PipelineContext

NAME = "slack-bind-thread"


def handle(ctx: PipelineContext) -> None:
    """Record the channel and the thread root on a ticket this message just opened."""
    if not ctx.created_ticket or ctx.ticket is None or ctx.dry_run:
        return
    message = ctx.message
    ctx.ticket.customer_channel = message.slack_channel
    ctx.ticket.customer_thread_ts = message.slack_thread_ts or message.slack_ts
    ctx.decide(f"{ctx.ticket.reference} answers in the thread {ctx.ticket.customer_thread_ts}")
