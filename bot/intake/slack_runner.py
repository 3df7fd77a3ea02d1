"""A customer's Slack message → the "slack" pipeline, in one transaction. Never raises into the listener.

The Slack edge (``bot/slack/listeners/customer_messages.py``) turns a
``message`` event into an :class:`InboundMessage` and hands it over here, in a
thread. As with mail, the message and everything decided about it (ticket,
inquiry, thread answer, staff card) commit together. Unlike mail there are no
raw bytes to quarantine: a message whose processing raises is rolled back,
logged with its traceback, and staff get an alert naming the channel and the
message, so that nobody's question disappears silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.intake import pipeline
from bot.app.config import Settings
from bot.domain.mail.inbound import InboundMessage
from handlers.base import PipelineContext
from bot.desk.customer_channels import channel_organisation
from storage.models import Contact
from storage.repositories import outbox

log = logging.getLogger("supportbot.slack_intake")

class SlackIntake:
    """Runs the "slack" pipeline for messages from customer channels."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime],
                 services: dict[str, Any]):
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self.services = services  # calendar (and attachments, if any) for the handlers

    def lookup(self, channel: str, slack_user: str) -> tuple[bool, bool]:
        """(Is ``channel`` a customer channel, is a contact already linked to ``slack_user``)."""
        with self._sessions() as session:
            if channel_organisation(session, self._settings, channel) is None:
                return False, False
            linked = session.execute(select(Contact.id).where(Contact.slack_user_id == slack_user)).first()
            return True, linked is not None

    @property
    def calendar(self):
        """The desk's opening hours (App Home and /support use it too)."""
        return self.services["calendar"]

    def process(self, message: InboundMessage) -> pipeline.Outcome:
        """Run the pipeline on ``message`` and commit; on an unexpected error roll back, alert staff, return "failed"."""
        try:
            with self._sessions() as session:
                ctx = PipelineContext(session, self._settings, self._clock(), message=message, services=self.services)
                outcome = pipeline.run("slack", ctx)
                session.commit()
                return outcome
        except Exception as exc:  # one bad message must not take the listener down; staff hear of it
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
            log.exception("%s failed: %s", message.message_id, reason)
            self.alert(message.message_id, f"A message in Slack channel {message.slack_channel} from "
                                            f"{message.slack_user} could not be processed ({reason}).")
            return pipeline.Outcome("failed", reason, ())

    def alert(self, key: str, text: str) -> None:
        """A staff alert (the alerts channel, through the outbox), once per ``key``."""
        with self._sessions() as session:
            outbox.enqueue(session, "slack.alert", f"alert:slack-intake:{key}"[:255], {"text": text}, self._clock())
            session.commit()
