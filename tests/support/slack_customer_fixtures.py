"""Fixtures for Slack II: a customer channel with its people, Slack's message events and slash commands,
and the outbox delivered to the Web API stand-in.

Import into a test module with
``from tests.support.slack_customer_fixtures import customer_env, slack_standin  # noqa: F401``.
"""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import select

from bot.devtools.slack_standin import APP_ID, TEAM_ID
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.customer import SlackCustomerDeliverer
from bot.slack.deliverers.staff import SlackDeliverer
from bot.jobs.outbox import by_kind
from bot.jobs.outbox_worker import OutboxWorker
from storage.models import AutoreplyLog, Contact, Inquiry, Organisation, Ticket, TicketMessage
from tests.support.slack_fixtures import OPEN, SIGNING_SECRET, STAFF, STOCKHOLM, Harness, SlackEnv, event
from tests.support.slack_fixtures import slack_standin  # noqa: F401 - re-exported fixture

CUSTOMER = "C0KUNDEN"  # Kommunen AB's shared channel, mapped in the configuration
CLOSED = datetime(2026, 3, 14, 11, 0, tzinfo=STOCKHOLM).astimezone(timezone.utc)  # Saturday; opens Mon 16 Mar 09:00
ASA, JOHN, STRANGER, OLLE = "U0ASA", "U0JOHN", "U0STRANGER", "U0OLLE"
CUSTOMER_USERS = {
    ASA: {"email": "Asa@Kund.se", "real_name": "Åsa Andersson"},  # a contact of Kommunen AB (case differs)
    JOHN: {"email": "john@kund.se", "real_name": "John Smith"},
    STRANGER: {"email": "sven@example.org", "real_name": "Sven Främling"},  # nobody's contact
    OLLE: {"email": "olle@annat.se", "real_name": "Olle Annan"},  # a contact of another customer
}
RESPONSE_URL = "response.command"  # the stand-in records a POST to <base_url><this> as a call of that name


@pytest.fixture
def customer_env(session_factory, slack_standin):
    """The Slack desk plus Kommunen AB's customer channel and the people who write in it."""
    env = CustomerEnv(session_factory, slack_standin)
    env.seed()
    return env


@pytest.fixture
def ticket_policy_env(session_factory, slack_standin):
    """The same, with ``portal.new_case_policy = "ticket"``: a new message in the channel opens a ticket."""
    env = CustomerEnv(session_factory, slack_standin, new_case_policy="ticket")
    env.seed()
    return env


class CustomerEnv(SlackEnv):
    """A SlackEnv whose settings map CUSTOMER to organisation 1001 and post without pacing."""

    def __init__(self, sessions, standin, *, new_case_policy: str = "portal"):
        self._policy = new_case_policy
        super().__init__(sessions, standin)
        self._events = itertools.count(1)

    def settings_for(self, mode: str, **slack: Any) -> Any:
        settings = super().settings_for(mode, customer_channels={CUSTOMER: "1001"}, min_post_interval_s=0, **slack)
        portal = settings.portal.model_copy(update={"new_case_policy": self._policy})
        return settings.model_copy(update={"portal": portal})

    def seed(self) -> None:
        super().seed()
        with self.sessions() as session:
            other = Organisation(number="2002", name="Annan AB", created_at=OPEN)
            session.add_all([other, Contact(organisation=other, email="olle@annat.se", name="Olle Annan",
                                            created_at=OPEN)])
            session.commit()
        for user_id, entry in CUSTOMER_USERS.items():
            self.standin.add_user(user_id, **entry)

    # -- what Slack sends -----------------------------------------------------------

    def post(self, text: str, user: str = ASA, *, ts: str | None = None, thread_ts: str | None = None,
             channel: str = CUSTOMER, event_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """A ``message`` event: someone wrote ``text`` in ``channel`` (in a thread when ``thread_ts``)."""
        ts = ts or self.next_ts()
        inner = {"type": "message", "channel": channel, "channel_type": "channel", "user": user, "text": text,
                 "ts": ts, "event_ts": ts, "team": TEAM_ID, **fields}
        if thread_ts:
            inner["thread_ts"] = thread_ts
        return event(inner, event_id or f"Ev0MSG{next(self._events):04d}")

    def home_opened(self, user: str, event_id: str | None = None) -> dict[str, Any]:
        return event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                      "event_ts": "1700009999.000300"}, event_id or f"Ev0HOME{next(self._events):04d}")

    # -- the outbox, delivered ------------------------------------------------------

    def deliver_outbox(self) -> None:
        """Deliver every due Slack row (cards, threads, notices, customer replies) to the stand-in."""
        settings = self.settings
        client = make_sync_web_client(settings.slack)
        deliverers = by_kind(SlackDeliverer(settings, client, self.calendar, self.clock),
                             SlackCustomerDeliverer(settings, client, self.calendar, self.clock))
        worker = OutboxWorker(self.sessions, deliverers, self.clock, worker_id="test", rng=random.Random(0))
        while worker.run_once():
            pass

    # -- reading back -----------------------------------------------------------------

    def customer_posts(self, channel: str = CUSTOMER) -> list[dict[str, Any]]:
        """What the bot posted in a customer channel (chat.postMessage params)."""
        return [c.params for c in self.standin.calls("chat.postMessage") if c.params.get("channel") == channel]

    def staff_posts(self) -> list[dict[str, Any]]:
        return [c.params for c in self.standin.calls("chat.postMessage") if c.params.get("channel") == STAFF]

    def inquiries(self) -> list[Inquiry]:
        with self.sessions() as session:
            return list(session.execute(select(Inquiry).order_by(Inquiry.id)).scalars())

    def tickets(self) -> list[Ticket]:
        with self.sessions() as session:
            return list(session.execute(select(Ticket).order_by(Ticket.id)).scalars())

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        with self.sessions() as session:
            query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)
            return list(session.execute(query).scalars())

    def contact(self, email: str) -> Contact:
        with self.sessions() as session:
            return session.execute(select(Contact).where(Contact.email == email)).scalar_one()

    def autoreplies(self) -> list[tuple[str, str]]:
        with self.sessions() as session:
            rows = session.execute(select(AutoreplyLog).order_by(AutoreplyLog.id)).scalars()
            return [(row.recipient, row.template) for row in rows]


# -- slash commands -------------------------------------------------------------------


def command_payload(env: SlackEnv, text: str, user: str, channel: str = STAFF) -> dict[str, str]:
    """The fields Slack sends for ``/support <text>`` typed by ``user`` in ``channel``."""
    return {"token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "standin",
            "channel_id": channel, "channel_name": channel.lower(), "user_id": user, "user_name": user.lower(),
            "command": "/support", "text": text, "api_app_id": APP_ID, "is_enterprise_install": "false",
            "response_url": f"{env.standin.base_url}{RESPONSE_URL}", "trigger_id": f"trigger-{user}-support"}


async def send_command(harness: Harness, fields: dict[str, str]) -> BoltResponse:
    """Deliver a slash command as this harness's mode does (a signed form POST or a Socket Mode envelope); settle."""
    if harness.mode == "http":
        body, stamp = urlencode(fields), str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
        headers = {"content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": stamp,
                   "x-slack-signature": signature}
        response = await harness.app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    else:
        request = SocketModeRequest(type="slash_commands", envelope_id="env-command", payload=fields)
        response = await run_async_bolt_app(harness.app, request)
    await harness.settle()
    assert response.status == 200, (response.status, response.body)
    return response


def responses(standin) -> list[dict[str, Any]]:
    """What the command's ``respond`` sent (the JSON posted to the response_url)."""
    return [c.params for c in standin.calls(RESPONSE_URL)]
