"""survey-reply: what a reply to a closed ticket is — a survey answer, a reopening, or a new case.

Runs before apply-portal-rule and append-message. A lone digit 1–5 on the
first line of the fresh text (quoted history removed) answers the survey: it is
recorded and the ticket stays closed (the pipeline stops with Discard, the way
automatic mail about a ticket is recorded and stopped). Any other reply within
``lifecycle.reopen_days`` of closing goes on to append-message, which reopens
the ticket; a later one is detached from the ticket and handled as a new case by
apply-portal-rule (the portal answer, or a ticket under policy "ticket").

``record_rating`` is also what the survey web page calls.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.domain.closure import reply_reopens, survey_digit
from handlers.base import Discard, PipelineContext
from storage.models import SurveyResponse, Ticket
from storage.repositories import events, slack_queue
from storage.repositories.upsert import insert_ignoring_conflict

NAME = "survey-reply"
COMMENT_MAX = 4000


def handle(ctx: PipelineContext) -> None:
    """Record a digit answer, or detach a reply that comes after the reopen window."""
    ticket = ctx.ticket
    if ticket is None or ticket.status != "closed":
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


def record_rating(session: Session, settings, ticket: Ticket, rating: int, comment: str | None, channel: str,
                  now: datetime) -> bool:
    """Store the one answer ``ticket`` may have and tell staff; False when it was already answered."""
    if not 1 <= rating <= 5:
        raise ValueError(f"rating must be 1–5, got {rating}")
    comment = (comment or "").strip()[:COMMENT_MAX] or None
    # The unique index decides, so two answers racing (two tabs, web and mail) store one.
    new_id = insert_ignoring_conflict(session, SurveyResponse, {
        "ticket_id": ticket.id, "rating": rating, "comment": comment, "channel": channel, "line": ticket.line,
        "answered_at": now,
    })
    if new_id is None:
        return False
    events.record_event(session, ticket, "survey_answered", now, actor="customer", rating=rating, channel=channel)
    slack = settings.slack
    if slack.enabled:
        said = f"survey: {rating}/5" + (f" — “{comment}”" if comment else "")
        slack_queue.queue_audit(session, ticket, now, said, icon="⭐", key="survey")
        if slack.survey_channel:
            slack_queue.queue_survey_result(session, ticket, now, slack.survey_channel,
                                            f"{ticket.reference} (line {ticket.line}): {said}")
    return True
