"""survey-reply: what a reply to a closed ticket is — a survey answer, a reopening, or a new case.

Runs before apply-portal-rule and append-message. A lone digit 1–5 on the
first line of the fresh text (quoted history removed) answers the survey: it is
recorded and the ticket stays closed (the pipeline stops with Discard, the way
automatic mail about a ticket is recorded and stopped). Any other reply within
``lifecycle.reopen_days`` of closing goes on to append-message, which reopens
the ticket; a later one is detached from the ticket and handled as a new case by
apply-portal-rule (the portal answer, or a ticket under policy "ticket").

Recording the answer is the desk's (bot/desk/survey.py, ``record_rating``), which the survey
web page calls too.
"""

from __future__ import annotations

from datetime import timedelta

from bot.desk.survey import record_rating
from bot.domain.closure import reply_reopens, survey_digit
from bot.domain.tickets import Status
from handlers.base import Discard, PipelineContext

NAME = "survey-reply"


def handle(ctx: PipelineContext) -> None:
    """Record a digit answer, or detach a reply that comes after the reopen window."""
    ticket = ctx.ticket
    if ticket is None or ticket.status != Status.CLOSED:
        return
    lifecycle = ctx.settings.lifecycle
    rating = survey_digit(ctx.message.fresh_text())
    answerable = ticket.closed_at is None or ctx.now - ticket.closed_at <= timedelta(days=lifecycle.link_valid_days)
    if rating is not None and lifecycle.survey_enabled and answerable:
        recorded = ctx.dry_run or record_rating(ctx.session, ctx.settings, ticket, rating, None, "email", ctx.now)
        verdict = "recorded" if recorded else "refused: already answered"
        ctx.decide(f"survey answer {rating} by reply on {ticket.reference}: {verdict}")
        raise Discard(f"survey answer {rating} on {ticket.reference} {verdict}")
    if not reply_reopens(ticket.closed_at, ctx.now, lifecycle.reopen_days):
        ctx.decide(f"{ticket.reference} closed more than {lifecycle.reopen_days} days ago: a new case")
        ctx.ticket = ctx.match = None
