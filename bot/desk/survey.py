"""The survey invitation: one mail per ticket, when it closes, with a signed link per rating."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.customer_mail import mail_customer, recipient
from bot.web.signing import survey_links
from storage.models import SurveyResponse, Ticket


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
