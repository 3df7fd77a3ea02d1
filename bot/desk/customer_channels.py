"""Which organisation a customer's Slack channel belongs to (the Slack intake and the slack-sender step ask)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app.config import Settings
from storage.models import CustomerChannel, Organisation


def channel_organisation(session: Session, settings: Settings, channel_id: str) -> Organisation | None:
    """The organisation a customer channel belongs to: a linked channel first, then ``slack.customer_channels``."""
    slack = settings.slack
    if not channel_id or channel_id in (slack.staff_channel, slack.alerts_channel, slack.survey_channel):
        return None  # our own channels are never customer channels, whatever a mapping says
    linked = session.get(CustomerChannel, channel_id)
    if linked is not None:
        return session.get(Organisation, linked.organisation_id)
    number = slack.customer_channels.get(channel_id)
    if number is None:
        return None
    return session.execute(select(Organisation).where(Organisation.number == number)).scalar_one_or_none()
