"""Automatic answers to customers: rate-limited per recipient and logged in a table.

Not a pipeline step: the steps that answer (apply-portal-rule, acknowledge) call
``answer``. The limit lives in the database so it holds across restarts and
replicas, and it is what stops two robots from mailing each other forever.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TYPE_CHECKING

from bot.domain.mail.mailboxes import is_mailbox
from bot.desk.customer_mail import Recipient, mail_customer
from bot.desk.slack_answers import answer_in_thread
from bot.domain.mail.salutations import first_name as greeting_name
from storage.repositories import autoreplies

__all__ = ["answer", "greeting_name", "next_opening_text"]  # greeting_name: the steps greet by it

if TYPE_CHECKING:
    from handlers.base import PipelineContext


def answer(ctx: PipelineContext, template: str, *, to: str, lang: str, context: dict[str, Any], ticket=None) -> bool:
    """Queue one automatic mail unless ``to`` had one within the window; True when queued.

    A message written in a customer's Slack channel is answered in its thread
    instead, and the limit counts per Slack user (``slack:<user>``).
    """
    in_slack = ctx.message.channel == "slack"
    if not in_slack and not is_mailbox(to):  # never a robot's answer to a name that is not one address
        ctx.decide(f"no {template}: the recipient is not one well-formed mailbox")
        return False
    to = f"slack:{ctx.message.slack_user}" if in_slack else to
    hours = ctx.settings.desk.autoreply_window_hours
    if autoreplies.recently_answered(ctx.session, to, ctx.now, timedelta(hours=hours)):
        ctx.decide(f"no {template} to {to}: already answered automatically within {hours:g} h")
        return False
    ctx.decide(f"send {template} ({lang}) to {to}")
    if ctx.dry_run:
        return True
    if in_slack:
        answer_in_thread(ctx, template, lang, context, ticket)
    else:
        # Without a ticket there is no thread to follow: answer under the customer's own mail.
        answering = () if ticket else (*ctx.message.references, ctx.message.message_id)
        mail_customer(ctx.session, ctx.settings, ctx.now, template, Recipient(to, context.get("contact_name", ""), lang),
                      ticket=ticket, context=context, about=f"auto:{ctx.message.message_id}", answering=answering)
    autoreplies.record(ctx.session, to, template, ctx.now, ticket.id if ticket else None)
    return True


def next_opening_text(ctx: PipelineContext, lang: str) -> str | None:
    """"måndag 18 maj kl. 09:00" when the desk is closed now, else None."""
    from bot.domain.hours.opening_text import format_next_opening

    calendar = ctx.calendar
    if calendar.is_open(ctx.now):
        return None
    return format_next_opening(calendar.next_opening(ctx.now), ctx.now, lang, calendar.tz)
