"""The small writes the Slack listeners make beside the staff actions, each one transaction.

An event remembered so a redelivery is handled once, a customer channel
linked (``/support link-channel``), a ticket opened on a customer's behalf
(``/support new``). The listeners call these in a thread; no session leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.staff_case import open_on_behalf
from storage.models import Agent, CustomerChannel, Organisation, SeenEvent
from storage.repositories import directory
from storage.repositories.upsert import insert_ignoring_conflict


class ChatDesk:
    """See the module docstring; bound to the database, the settings, the desk's calendar and clock."""

    def __init__(self, sessions: sessionmaker[Session], settings, calendar, clock: Callable[[], datetime]):
        self._sessions = sessions
        self._settings = settings
        self._calendar = calendar
        self._clock = clock

    def first_delivery(self, key: str) -> bool:
        """Remember ``key`` (an event id); True the first time, False for a redelivery (bot/slack/listeners/events.py)."""
        with self._sessions() as session:
            new = insert_ignoring_conflict(session, SeenEvent, {"key": key[:255], "seen_at": self._clock()}) is not None
            session.commit()
            return new

    def open_on_behalf(self, agent_id: int, contact_email: str, subject: str, description: str, priority: str) -> str:
        """Open a ticket for the contact at ``contact_email`` (receipt, card, audit line); its reference."""
        with self._sessions() as session:
            ticket = open_on_behalf(
                session, self._settings, self._calendar, self._clock(),
                agent=session.get(Agent, agent_id), contact=directory.find_contact(session, contact_email),
                subject=subject, description=description, priority=priority,
            )
            session.commit()
            return ticket.reference

    def link_channel(self, channel: str, number: str, agent_id: int) -> tuple[bool, str]:
        """Make ``channel`` a customer channel of organisation ``number``; (done, what to tell the agent)."""
        slack = self._settings.slack
        if not channel or channel.startswith("D") or channel in (slack.staff_channel, slack.alerts_channel,
                                                                 slack.survey_channel):
            return False, "Only a customer's shared channel can be linked (not a DM, nor the staff or alerts channel)."
        with self._sessions() as session:
            organisation = session.execute(select(Organisation).where(Organisation.number == number)).scalar_one_or_none()
            if organisation is None:
                return False, f"No organisation has the customer number {number}."
            now = self._clock()
            values = {"channel_id": channel, "organisation_id": organisation.id, "linked_by_agent_id": agent_id,
                      "linked_at": now}
            if insert_ignoring_conflict(session, CustomerChannel, values) is None:  # linked before: re-point it
                linked = session.get(CustomerChannel, channel, with_for_update=True)
                linked.organisation_id, linked.linked_by_agent_id, linked.linked_at = organisation.id, agent_id, now
            session.commit()
            return True, (f"This channel is now a customer channel of {organisation.name} ({organisation.number}). "
                          "Messages here from its registered contacts are handled like mail to support, and answered "
                          "in their thread. Invite the bot here if it is not a member yet.")
