"""The demo's two non-mail steps, over the real protocols: the portal's signed webhook, and an
agent's reply submitted from the card's modal as Slack would POST it (signed, to /slack/events)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.demo.clock import DemoClock
from bot.demo.desk import AGENTS, ASA, STOCKHOLM
from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import build_reply_modal
from bot.web.portal.signature import sign
from storage.models import OutboxRow, Ticket

STEP_TIMEOUT_S = 30.0


async def portal_registration(settings: Settings, clock: DemoClock, at: datetime, say: Callable[[str], None]) -> str:
    """Åsa registers a case in the portal; the portal calls our webhook; returns the new reference."""
    clock.freeze(at)
    say(f"\n[portal] {at.astimezone(STOCKHOLM):%a %d %b %Y %H:%M} — A case registered in the customer portal")
    body = json.dumps({
        "case_id": "P-2026-0815", "organisation": "1001", "contact_email": ASA.email,
        "subject": "Installation av ny version på testservern", "category": "installation",
        "description": "Hej!\n\nVi vill uppgradera testservern till version 12.3 nästa vecka. Kan ni hjälpa oss?\n\nÅsa",
        "attachments": [],
    }).encode()
    stamp = str(int(clock().timestamp()))  # the webhook checks freshness against the desk's clock
    headers = {"Content-Type": "application/json", "X-Portal-Timestamp": stamp,
               "X-Portal-Signature": sign(settings.portal.webhook_secret.get_secret_value(), stamp, body)}
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{_base(settings)}/portal/cases", data=body, headers=headers) as response:
            answer = await response.json()
    say(f"      → POST /portal/cases (signed) → {response.status} {answer}")
    return answer["reference"]


async def agent_reply_from_card(settings: Settings, sessions: sessionmaker[Session], clock: DemoClock, at: datetime,
                                reference: str, say: Callable[[str], None]) -> bool:
    """Anna opens the card's Reply modal and sends; the customer gets the mail, the thread says so."""
    clock.freeze(at)
    agent = AGENTS[0]
    say(f"\n[slack] {at.astimezone(STOCKHOLM):%a %d %b %Y %H:%M} — {agent.name} replies from the card of {reference}")
    ticket = await asyncio.to_thread(_ticket, sessions, reference)
    modal = build_reply_modal(ticket.id, Seen.of(ticket), reference, "Hej Åsa,", f"Med vänliga hälsningar\n{agent.name}")
    text = ("Hej Åsa,\n\nVi bokar in uppgraderingen av testservern på tisdag kl. 10. "
            "Vi ringer upp när vi börjar.\n\nMed vänliga hälsningar\nAnna Lind")
    block = next(b for b in modal["blocks"] if b.get("type") == "input")
    payload = {"type": "view_submission", "user": {"id": agent.slack_user, "team_id": "T0STANDIN"},
               "team": {"id": "T0STANDIN"}, "api_app_id": "A0SUPPORTBOT", "trigger_id": "demo-trigger",
               "view": {**modal, "id": "V0DEMO", "state": {"values": {block["block_id"]: {
                   block["element"]["action_id"]: {"type": "plain_text_input", "value": text}}}}}}
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time()))  # Slack signs with the real time; Bolt checks it against the real time
    signature = SignatureVerifier(settings.slack.signing_secret.get_secret_value()).generate_signature(
        timestamp=stamp, body=body)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature}
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{_base(settings)}/slack/events", data=body, headers=headers) as response:
            status = response.status
    say(f"      → POST /slack/events (view_submission, signed) → {status}")
    sent = await _wait(lambda: _reply_sent(sessions, ticket.id))
    say(f"      → agent_reply {sent}")
    return status == 200 and sent == "sent"


def _ticket(sessions: sessionmaker[Session], reference: str) -> Ticket:
    with sessions() as session:
        return session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one()


def _reply_sent(sessions: sessionmaker[Session], ticket_id: int) -> str | None:
    with sessions() as session:
        row = session.execute(select(OutboxRow).where(OutboxRow.ticket_id == ticket_id, OutboxRow.kind == "email")
                              .order_by(OutboxRow.id.desc())).scalars().first()
    if row is None or row.payload["template"] != "agent_reply" or row.state in ("pending", "sending"):
        return None
    return row.state


async def _wait(probe: Callable[[], str | None]) -> str:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while (result := await asyncio.to_thread(probe)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the step's effects did not show within {STEP_TIMEOUT_S:g} s")
        await asyncio.sleep(0.02)  # polling interval, not a synchronisation delay
    return result


def _base(settings: Settings) -> str:
    return f"http://{settings.http.host}:{settings.http.port}"
