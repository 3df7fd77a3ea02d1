"""A desk with signing on, a frozen clock, and the lifecycle routes on a real aiohttp test server."""

from __future__ import annotations

import asyncio
import json
import types
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web.routes import lifecycle_routes
from bot.web.portal.signature import sign
from bot.desk.staff_actions import Desk as StaffDesk
from storage.models import Agent, OutboxRow, Ticket, TicketEvent
from storage.repositories import messages
from tests.handlers.conftest import OPEN, make_desk  # noqa: F401  (fixture)

SECRET_KEY = "test-desk-secret-key"
WEBHOOK_SECRET = "portal-webhook-secret"


class Clock:
    """A frozen clock the test moves by hand."""

    def __init__(self, at: datetime):
        self.at = at.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock():
    return Clock(OPEN)


@pytest.fixture
def lifecycle_desk(make_desk, session_factory, clock):
    """The handlers' test desk with a secret key and webhook secret, an agent, staff actions and a runtime."""
    def make(**sections):
        sections.setdefault("desk", {}).setdefault("secret_key", SECRET_KEY)
        sections.setdefault("portal", {}).setdefault("webhook_secret", WEBHOOK_SECRET)
        sections.setdefault("http", {}).setdefault("public_base_url", "https://support.example.com/")
        desk = make_desk(**sections)
        desk.clock = clock
        desk.staff = StaffDesk(session_factory, desk.settings, desk.services["calendar"], clock)
        desk.runtime = types.SimpleNamespace(settings=desk.settings, sessions=session_factory, clock=clock,
                                             services=desk.services)
        with session_factory() as session:
            agent = Agent(email="agnes@vendor.example", name="Agnes", line=1, created_at=OPEN)
            session.add(agent)
            session.commit()
            desk.agent_id = agent.id
        return desk
    return make


@pytest.fixture
def desk(lifecycle_desk):
    return lifecycle_desk()


def serve(desk, scenario: Callable[[TestClient], Awaitable[None]]) -> None:
    """Run ``scenario`` against the lifecycle routes on a real local HTTP server."""
    async def main():
        app = web.Application()
        app.add_routes(lifecycle_routes(desk.runtime))
        async with TestClient(TestServer(app)) as client:
            await scenario(client)
    asyncio.run(main())


def post_signed(desk, path: str, payload, *, headers=None, raw: bytes | None = None) -> tuple[int, dict]:
    """POST ``payload`` (or ``raw``) to ``path`` once, signed as the portal signs unless ``headers`` are given;
    (status, JSON body)."""
    body = raw if raw is not None else body_of(payload)
    result = {}

    async def scenario(client):
        response = await client.post(path, data=body,
                                     headers=headers if headers is not None else signed_headers(body, desk.clock()))
        result["status"], result["json"] = response.status, await response.json()
    serve(desk, scenario)
    return result["status"], result["json"]


def signed_headers(body: bytes, at: datetime, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    return {"X-Portal-Timestamp": timestamp, "X-Portal-Signature": sign(secret, timestamp, body),
            "Content-Type": "application/json"}


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def ticket_for(desk, status: str = "open", language: str = "sv", contact_email: str = "asa@kund.se",
               closed_at: datetime | None = None) -> Ticket:
    """A ticket with one mail of ours on it (Message-ID <sb-1@example.com>), as after an agent's update."""
    with desk.sessions() as session:
        from bot.desk.open_ticket import open_ticket
        from storage.repositories.directory import find_contact

        contact = find_contact(session, contact_email)
        ticket = open_ticket(session, desk.settings, desk.services["calendar"], OPEN.astimezone(timezone.utc),
                             subject="Exporten fungerar inte", origin="portal", contact=contact,
                             language=language, participants=(contact_email,))
        ticket.status, ticket.closed_at = status, closed_at
        messages.append_message(session, ticket, direction="outbound", channel="email",
                                message_id="<sb-1@example.com>", created_at=OPEN)
        session.commit()
        session.refresh(ticket)
        session.expunge(ticket)
        return ticket


def reload(desk, ticket_id: int) -> Ticket:
    with desk.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        session.expunge(ticket)
        return ticket


def outbox(desk, kind: str | None = None) -> list[OutboxRow]:
    with desk.sessions() as session:
        query = session.query(OutboxRow).order_by(OutboxRow.id)
        if kind:
            query = query.filter_by(kind=kind)
        return list(query)


def mails(desk) -> list[OutboxRow]:
    return outbox(desk, "email")


def event_kinds(desk, ticket_id: int) -> list[str]:
    with desk.sessions() as session:
        return [e.kind for e in session.query(TicketEvent).filter_by(ticket_id=ticket_id).order_by(TicketEvent.id)]


def revision(desk, ticket_id: int) -> int:
    return reload(desk, ticket_id).revision


__all__ = ["Clock", "OPEN", "SECRET_KEY", "WEBHOOK_SECRET", "body_of", "event_kinds", "mails", "outbox", "reload",
           "revision", "serve", "signed_headers", "ticket_for"]
