"""The survey: one invitation per ticket when it closes (a signed link per rating), and its one answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.customer_mail import mail_customer, recipient
from bot.domain.signing import survey_links
from storage.models import SurveyResponse, Ticket
from storage.repositories import events, slack_queue
from storage.repositories.upsert import insert_ignoring_conflict

COMMENT_MAX = 4000


def invite(session: Session, settings, ticket: Ticket, now: datetime) -> bool:
    """Queue the survey for a just-closed ticket; at most one per ticket, ever. True when queued."""
    if not settings.lifecycle.survey_enabled:
        return False
    if session.execute(select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket.id)).first():
        return False
    to = recipient(session, ticket)
    if to is None:
        return False
    return mail_customer(session, settings, now, "survey_invitation", to, ticket=ticket,
                         context={"rating_urls": survey_links(settings, ticket.id, now)}, once=True) is not None


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
