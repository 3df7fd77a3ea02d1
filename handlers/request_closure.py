"""request-closure: a reply saying "you can close this" asks for closure; it does not reopen the work.

Runs after append-message. Only the fresh text counts (the stored message's
``stripped_text``: quoted history and signature removed), so a phrase quoted
from our own mail never closes anything. The ticket goes to
``closure_requested``; an agent confirms with the card's status menu, or
auto-close closes it after ``lifecycle.auto_close_business_days``.

The use case itself, ``request_closure``, is the desk's (bot/desk/closure.py): the signed
one-click link (POST /tickets/close) calls it too.
"""

from __future__ import annotations

from bot.desk.closure import request_closure
from bot.domain.closure import asks_to_close
from handlers.base import PipelineContext

NAME = "request-closure"

def handle(ctx: PipelineContext) -> None:
    """Move the ticket to closure_requested when the customer's fresh text asks for it."""
    if ctx.ticket is None or ctx.created_ticket or ctx.message is None:
        return
    if ctx.appended is not None:
        text = ctx.appended.stripped_text or ""
    elif ctx.dry_run:
        text = ctx.message.fresh_text()  # what append-message would have stored
    else:
        return
    phrase = asks_to_close(text, ctx.settings.lifecycle.closure_phrases)
    if phrase is None:
        return
    ctx.decide(f"{ctx.ticket.reference}: the customer asks to close it ({phrase!r})")
    if not ctx.dry_run:
        request_closure(ctx.session, ctx.settings, ctx.ticket, ctx.now, via="reply", phrase=phrase)
