"""Fixtures for the Slack listeners: a seeded desk, the Web API stand-in, and a harness that sends
Slack's payloads through the Bolt app as signed HTTP requests or as Socket Mode envelopes.

Import the fixtures into a test module with
``from tests.support.slack_fixtures import slack_env, slack_standin  # noqa: F401``.
Synchronisation is by awaiting: ``Harness.settle()`` waits until every listener
the sent requests started has finished (its Desk call and its Slack calls).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from slack_bolt.adapter.socket_mode.async_internals import run_async_bolt_app
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from bot.app.config import Settings
from bot.devtools.slack_standin import APP_ID, TEAM_ID, SlackStandin
from bot.domain.hours.calendar import calendar_from_settings
from bot.domain.stale_clicks import Seen
from bot.slack.ids import ticket_value
from bot.slack.app import build_app
from bot.slack.listeners.inflight import InFlight
from bot.desk.staff_actions import Desk
from bot.desk.open_ticket import open_ticket
from storage.models import Agent, Contact, Inquiry, Organisation, OutboxRow, SeenEvent, Ticket, TicketEvent
from storage.repositories.directory import find_contact

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPEN = datetime(2026, 3, 10, 10, 15, tzinfo=STOCKHOLM).astimezone(timezone.utc)  # Tuesday, the desk is open
STAFF = "C0STAFF"
SIGNING_SECRET = "slack-fixtures-signing-secret"
DESK_NAME = "Kundtjänst"

AGNES, BO, GUEST = "U0AGNES", "U0BO", "U0GUEST"  # Agnes is linked; Bo is an agent by e-mail only; Guest is no agent
USERS = {
    AGNES: {"email": "agnes@vendor.example", "real_name": "Agnes Agent"},
    BO: {"email": "Bo@Vendor.example", "real_name": "Bo Berg"},
    GUEST: {"email": "guest@kund.se", "real_name": "Gäst Gästsson"},
}


@pytest.fixture
def slack_standin():
    """The recording Web API stand-in with our three users."""
    with SlackStandin(users=USERS) as server:
        yield server


@pytest.fixture
def slack_env(session_factory, slack_standin):
    """A migrated database with an organisation, two contacts (sv, en) and two agents."""
    env = SlackEnv(session_factory, slack_standin)
    env.seed()
    return env


class SlackEnv:
    """The desk side of the tests: settings, the Desk, the database, the stand-in."""

    def __init__(self, sessions, standin: SlackStandin):
        self.sessions = sessions
        self.standin = standin
        self.now = OPEN
        self.settings = self.settings_for("http")
        self.calendar = calendar_from_settings(self.settings.hours)
        self.desk = Desk(sessions, self.settings, self.calendar, self.clock)
        self._ts = itertools.count(1)

    def clock(self) -> datetime:
        return self.now

    def settings_for(self, mode: str, **slack: Any) -> Settings:
        return Settings.model_validate({
            "desk": {"name": DESK_NAME, "secret_key": "slack-fixtures-desk-key"},
            "slack": {"enabled": True, "mode": mode, "bot_token": self.standin.token,
                      "signing_secret": SIGNING_SECRET, "api_base_url": self.standin.base_url,
                      "staff_channel": STAFF, **slack},
        })

    def harness(self, mode: str = "http", desk: Desk | None = None) -> Harness:
        """Build the app (inside the test's event loop)."""
        return Harness(self, mode, desk or self.desk)

    # -- seeding ---------------------------------------------------------------

    def seed(self) -> None:
        with self.sessions() as session:
            org = Organisation(number="1001", name="Kommunen AB", created_at=OPEN)
            session.add_all([
                org,
                Contact(organisation=org, email="asa@kund.se", name="Åsa Andersson", language="sv", created_at=OPEN),
                Contact(organisation=org, email="john@kund.se", name="John Smith", language="en", created_at=OPEN),
                Agent(email="agnes@vendor.example", name="Agnes Agent", slack_user_id=AGNES, line=1, created_at=OPEN),
                Agent(email="bo@vendor.example", name="Bo Berg", line=2, created_at=OPEN),
            ])
            session.commit()

    def add_contact(self, email: str, name: str, language: str = "sv") -> None:
        with self.sessions() as session:
            org = session.execute(select(Organisation)).scalars().first()
            session.add(Contact(organisation_id=org.id, email=email, name=name, language=language, created_at=OPEN))
            session.commit()

    def add_ticket(self, contact: str = "asa@kund.se", subject: str = "Exporten fungerar inte", *,
                   card: bool = True) -> Ticket:
        """A new ticket (revision 1) with its card in the staff channel."""
        with self.sessions() as session:
            person = find_contact(session, contact)
            ticket = open_ticket(session, self.settings, self.calendar, self.now, subject=subject, origin="email",
                                 contact=person, language=person.language, participants=(person.email,))
            if card:
                ticket.slack_channel, ticket.slack_card_ts = STAFF, self.next_ts()
            session.commit()
            return ticket

    def add_inquiry(self, contact: str = "asa@kund.se", subject: str = "Ny fråga om exporten") -> int:
        with self.sessions() as session:
            person = find_contact(session, contact)
            inquiry = Inquiry(kind="new_case", channel="email", status="waiting", sender_email=person.email,
                              sender_name=person.name, contact_id=person.id, organisation_id=person.organisation_id,
                              subject=subject, text="Hej!\n\nExporten stannar vid 50 %.", created_at=self.now)
            session.add(inquiry)
            session.commit()
            return inquiry.id

    def bump_revision(self, ticket_id: int, **fields: Any) -> None:
        """A change made elsewhere (``fields`` set, the revision moved on); the card on screen stays as it was."""
        with self.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            for name, value in fields.items():
                setattr(ticket, name, value)
            ticket.revision += 1
            session.commit()

    def next_ts(self) -> str:
        return f"1700000{next(self._ts):03d}.000100"

    # -- reading back ------------------------------------------------------------

    def ticket(self, ticket_id: int) -> Ticket:
        with self.sessions() as session:
            return session.get(Ticket, ticket_id)

    def outbox(self, kind: str | None = None) -> list[OutboxRow]:
        with self.sessions() as session:
            query = select(OutboxRow).order_by(OutboxRow.id)
            if kind:
                query = query.where(OutboxRow.kind == kind)
            return list(session.execute(query).scalars())

    def events(self, kind: str | None = None) -> list[TicketEvent]:
        with self.sessions() as session:
            query = select(TicketEvent).order_by(TicketEvent.id)
            if kind:
                query = query.where(TicketEvent.kind == kind)
            return list(session.execute(query).scalars())

    def seen_events(self) -> int:
        with self.sessions() as session:
            return session.execute(select(func.count()).select_from(SeenEvent)).scalar_one()

    def agent(self, email: str) -> Agent:
        with self.sessions() as session:
            return session.execute(select(Agent).where(Agent.email == email)).scalar_one()

    def inquiry(self, inquiry_id: int) -> Inquiry:
        with self.sessions() as session:
            return session.get(Inquiry, inquiry_id)


class Harness:
    """The Bolt app against the stand-in, fed as Slack would feed it."""

    def __init__(self, env: SlackEnv, mode: str, desk: Desk):
        self.env = env
        self.mode = mode
        self.inflight = InFlight()
        standin = env.standin
        self.app = build_app(env.settings_for(mode), desk, env.sessions, env.clock,
                             AsyncWebClient(token=standin.token, base_url=standin.base_url), inflight=self.inflight)
        self._envelopes = itertools.count(1)

    async def send(self, payload: dict[str, Any]) -> BoltResponse:
        """Deliver one payload the way this harness's mode does (a signed POST or a Socket Mode envelope)."""
        if self.mode == "http":
            return await self.app.async_dispatch(signed_request(payload))
        kind = "events_api" if payload.get("type") == "event_callback" else "interactive"
        request = SocketModeRequest(type=kind, envelope_id=f"env-{next(self._envelopes)}", payload=payload)
        return await run_async_bolt_app(self.app, request)

    async def settle(self) -> None:
        """Wait until every listener started so far has finished."""
        assert await self.inflight.wait_idle(timeout=15), f"{self.inflight.running} listener(s) still running"

    async def deliver(self, payload: dict[str, Any]) -> BoltResponse:
        """send() then settle(); the response must be Slack's 200."""
        response = await self.send(payload)
        await self.settle()
        assert response.status == 200, (response.status, response.body)
        return response

    async def deliver_all(self, *payloads: dict[str, Any]) -> list[BoltResponse]:
        """Several payloads at once (as concurrent requests), then settle."""
        responses = await asyncio.gather(*(self.send(p) for p in payloads))
        await self.settle()
        assert [r.status for r in responses] == [200] * len(payloads)
        return responses


# -- Slack's payloads -------------------------------------------------------------


def signed_request(payload: dict[str, Any], *, secret: str = SIGNING_SECRET,
                   timestamp: int | None = None) -> AsyncBoltRequest:
    body, headers = signed_body(payload, secret=secret, timestamp=timestamp)
    return AsyncBoltRequest(body=body, headers=headers)


def signed_body(payload: dict[str, Any], *, secret: str = SIGNING_SECRET,
                timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """The body and headers Slack would POST: JSON for events, a form with ``payload`` for interactions."""
    if payload.get("type") in ("event_callback", "url_verification"):
        body, content_type = json.dumps(payload), "application/json"
    else:
        body, content_type = urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return body, {"content-type": content_type, "x-slack-request-timestamp": stamp, "x-slack-signature": signature}


def _interaction(kind: str, user: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "team": {"id": TEAM_ID, "domain": "standin"}, "user": {"id": user, "team_id": TEAM_ID},
            "api_app_id": APP_ID, "token": "legacy-verification-token", **fields}


def click(action_id: str, value: str, user: str = AGNES, *, ts: str = "1700000001.000100", select: bool = False,
          response_url: str | None = None, channel: str = STAFF) -> dict[str, Any]:
    """A button click (or a static_select choice) on a message in ``channel``."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": "ticket_actions.r1", "action_ts": "1700009999.000001"}
    if select:
        action |= {"type": "static_select", "selected_option": _option(value)}
    else:
        action |= {"type": "button", "value": value}
    extra = {"response_url": response_url} if response_url else {}
    return _interaction("block_actions", user, trigger_id=f"trigger-{user}-{action_id}", channel={"id": channel},
                        container={"type": "message", "channel_id": channel, "message_ts": ts}, actions=[action],
                        **extra)


def _option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value[:75]}, "value": value}


def card_click(action_id: str, ticket: Ticket, user: str = AGNES, choice: str | None = None) -> dict[str, Any]:
    """A click on ``ticket``'s card as drawn from ``ticket`` (a ticket read earlier is a card drawn earlier)."""
    value = ticket_value(ticket.id, Seen.of(ticket), choice)
    return click(action_id, value, user, ts=ticket.slack_card_ts or "1.1", select=choice is not None)


def view_action(action_id: str, view: dict[str, Any], value: str, user: str = AGNES) -> dict[str, Any]:
    """A select chosen inside an open modal (``view`` as the stand-in stored it, with the typed ``state``)."""
    action = {"type": "static_select", "action_id": action_id, "block_id": action_id, "action_ts": "1.2",
              "selected_option": _option(value)}
    return _interaction("block_actions", user, trigger_id="trigger-view",
                        container={"type": "view", "view_id": view["id"]}, view=view, actions=[action])


def submission(view: dict[str, Any], values: dict[str, dict[str, Any]], user: str = AGNES) -> dict[str, Any]:
    """A modal submitted with ``values`` as its state."""
    return _interaction("view_submission", user, trigger_id="trigger-submit",
                        view={**view, "state": {"values": values}})


def typed(view: dict[str, Any], action_id: str, text: str) -> dict[str, dict[str, Any]]:
    """State values for ``text`` typed into the input ``action_id`` of ``view``."""
    block = next(b for b in view["blocks"] if b.get("type") == "input" and b["element"]["action_id"] == action_id)
    return {block["block_id"]: {action_id: {"type": "plain_text_input", "value": text}}}


def with_state(view: dict[str, Any], values: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {**view, "state": {"values": values}}


def message_shortcut(message: dict[str, Any], user: str = AGNES, channel: str = STAFF) -> dict[str, Any]:
    return _interaction("message_action", user, callback_id="send_to_customer", trigger_id="trigger-shortcut",
                        response_url="https://hooks.invalid/x", channel={"id": channel, "name": "staff"},
                        message=message, message_ts=message["ts"])


def event(inner: dict[str, Any], event_id: str) -> dict[str, Any]:
    """An Events API envelope."""
    return {"token": "legacy-verification-token", "team_id": TEAM_ID, "api_app_id": APP_ID, "type": "event_callback",
            "event_id": event_id, "event_time": 1_773_000_000, "event": inner}


def reaction(name: str, ts: str, user: str = AGNES, event_id: str = "Ev0001", channel: str = STAFF) -> dict[str, Any]:
    return event({"type": "reaction_added", "user": user, "reaction": name, "item_user": "U0SUPPORTBOT",
                  "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": "1700009999.000200"}, event_id)


def ephemerals(standin: SlackStandin, user: str | None = None) -> list[dict[str, Any]]:
    return [c.params for c in standin.calls("chat.postEphemeral") if user in (None, c.params.get("user"))]


def all_strings(value: Any):
    """Every string inside a recorded call's parameters (JSON strings opened up)."""
    if isinstance(value, str):
        try:
            inner = json.loads(value)
        except ValueError:
            yield value
            return
        yield from all_strings(inner) if isinstance(inner, (dict, list)) else iter([value])
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)
