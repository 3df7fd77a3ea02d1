"""The demo's steps beyond mail, over the real protocols: the portal's signed webhook, an agent's reply
from the card's modal and an agent closing the case from the card's ⋯ menu and its confirmation, each
POSTed as Slack would (signed, to /slack/events)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.demo.context import DemoContext
from bot.demo.desk import AGENTS, ASA
from bot.domain.stale_clicks import Seen
from bot.slack.blocks.card import build_reply_modal
from bot.slack.ids import CLOSE_CONFIRM, STATUS, parse_ticket_value
from bot.slack.blocks.card_more import build_triage_modal
from bot.web.portal.signature import sign
from storage.models import OutboxRow, Ticket

# The survey mail's line for the best rating, e.g. "5 – Mycket nöjd: http://…/survey?t=…"
_SURVEY_URL = re.compile(r"^5 – .*?: (\S+/survey\?\S+)$", re.MULTILINE)


async def portal_registration(demo: DemoContext) -> bool:
    """Åsa registers a case in the portal; the portal calls our webhook; she gets the receipt, staff the card."""
    body = json.dumps({
        "case_id": "P-2026-0815", "organisation": "1001", "contact_email": ASA.email,
        "subject": "Installation av ny version på testservern", "category": "installation",
        "description": "Hej!\n\nVi vill uppgradera testservern till version 12.3 nästa vecka. Kan ni hjälpa oss?\n\nÅsa",
        "attachments": [],
    }).encode()
    stamp = str(int(demo.clock().timestamp()))  # the webhook checks freshness against the desk's clock
    headers = {"Content-Type": "application/json", "X-Portal-Timestamp": stamp,
               "X-Portal-Signature": sign(demo.settings.portal.webhook_secret.get_secret_value(), stamp, body)}
    mark = await demo.settler.mark()
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{demo.base_url}/portal/cases", data=body, headers=headers) as response:
            status, answer = response.status, await response.json()
    demo.say(f"      → POST /portal/cases (signed) → {status} {answer}")
    await demo.settler.delivered(mark)  # the 201 came after the commit: the receipt, the card, the thread
    demo.references["portal"] = answer.get("reference", "")
    return _said(demo, status == 201, await _mails_sent(demo, mark.outbox_id), ["case_received"])


async def agent_reply_from_card(demo: DemoContext) -> bool:
    """Anna opens the card's Reply modal and sends; the customer gets the mail, the thread says so."""
    agent, reference = AGENTS[0], demo.references["portal"]
    ticket = await asyncio.to_thread(_ticket, demo, reference)
    modal = build_reply_modal(ticket.id, Seen.of(ticket), reference, "Hej Åsa,", f"Med vänliga hälsningar\n{agent.name}")
    text = ("Hej Åsa,\n\nVi bokar in uppgraderingen av testservern på tisdag kl. 10. "
            "Vi ringer upp när vi börjar.\n\nMed vänliga hälsningar\nAnna Lind")
    block = next(b for b in modal["blocks"] if b.get("type") == "input")
    view = {**modal, "id": "V0DEMO", "state": {"values": {block["block_id"]: {
        block["element"]["action_id"]: {"type": "plain_text_input", "value": text}}}}}
    mark = await demo.settler.mark()
    status = await _slack_request(demo, "view_submission", agent.slack_user, trigger_id="demo-trigger", view=view)
    demo.say(f"      → POST /slack/events (view_submission, signed) → {status}")
    # Bolt answers once the listener acked: wait for the Desk's decision, its delivery and the ephemeral.
    await demo.settler.delivered(mark, ready=lambda session: _queued(session, ticket.id, mark.outbox_id),
                                 direct={"chat.postEphemeral": 1})
    return _said(demo, status == 200, await _mails_sent(demo, mark.outbox_id), ["agent_reply"])


async def agent_closes_from_card(demo: DemoContext) -> bool:
    """Anna picks "Closed" under the card's ⋯ → Priority and status, confirms; Åsa gets the closing mail and the survey."""
    agent, reference = AGENTS[0], demo.references["portal"]
    ticket = await asyncio.to_thread(_ticket, demo, reference)
    modal = build_triage_modal(ticket.id, Seen.of(ticket), reference)
    view = {**modal, "id": "V0DEMOTRIAGE", "state": {"values": {
        "triage_priority": {"triage_priority": {"type": "static_select", "selected_option": {"value": ticket.priority}}},
        "triage_status": {"triage_status": {"type": "static_select", "selected_option": {"value": "closed"}}}}}}
    mark = await demo.settler.mark()
    status = await _slack_request(demo, "view_submission", agent.slack_user, trigger_id="demo-trigger", view=view)
    demo.say(f"      → POST /slack/events (view_submission: Priority and status → Closed, signed) → {status}")
    await demo.settler.delivered(mark, direct={"chat.postEphemeral": 1})  # closing asks to confirm, as ✅ does
    confirmation = demo.standin.calls("chat.postEphemeral")[-1].params
    button = next(e for b in confirmation.get("blocks") or [] if b.get("type") == "actions" for e in b["elements"]
                  if e.get("action_id") == CLOSE_CONFIRM)
    action = {"type": "button", "action_id": CLOSE_CONFIRM, "block_id": "confirm", "value": button["value"],
              "action_ts": f"{time.time():.6f}"}
    mark = await demo.settler.mark()
    confirmed = await _slack_request(demo, "block_actions", agent.slack_user, trigger_id="demo-trigger-close",
                                     channel={"id": ticket.slack_channel}, actions=[action],
                                     container={"type": "message", "channel_id": ticket.slack_channel,
                                                "message_ts": ticket.slack_card_ts})
    demo.say(f"      → POST /slack/events (block_actions: Close {reference}, signed) → {confirmed}")
    status = status if confirmed == 200 else confirmed
    await demo.settler.delivered(mark, ready=lambda session: _closed(session, ticket.id))
    sent = await _mails_sent(demo, mark.outbox_id)
    link = _survey_link(demo.sink.handler.messages, ASA.email)
    if link:
        demo.say(f"      🔗 the survey page: {link}")
        async with aiohttp.ClientSession() as client:
            async with client.get(link) as response:
                page = await response.text()
        demo.say(f"      → GET the link → {response.status}: the form, rating 5 chosen; nothing is recorded "
                 f"until it is sent (POST){'' if 'form' in page else ' ✗ no form'}")
    return _said(demo, status == 200 and link is not None, sent, ["status_closed", "survey_invitation"])


def _said(demo: DemoContext, answered: bool, sent: list[str], expected: list[str]) -> bool:
    """The step's last line: the mails it sent; True when that, and the answer to its request, are as expected."""
    demo.say(f"      → sent: {', '.join(sent) or 'no mail'}")
    if answered and sent == expected:
        return True
    demo.say(f"      ✗ expected {', '.join(expected)}" + ("" if answered else " and a successful request"))
    return False


async def _slack_request(demo: DemoContext, kind: str, user: str, **fields) -> int:
    """POST an interaction to /slack/events, signed as Slack signs it (with the real time, as Bolt checks)."""
    payload = {"type": kind, "user": {"id": user, "team_id": "T0STANDIN"}, "team": {"id": "T0STANDIN"},
               "api_app_id": "A0SUPPORTBOT", **fields}
    body = urlencode({"payload": json.dumps(payload)})
    stamp = str(int(time.time()))
    signature = SignatureVerifier(demo.settings.slack.signing_secret.get_secret_value()).generate_signature(
        timestamp=stamp, body=body)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": signature}
    async with aiohttp.ClientSession() as client:
        async with client.post(f"{demo.base_url}/slack/events", data=body, headers=headers) as response:
            return response.status


def _survey_link(messages, address: str) -> str | None:
    """The rating-5 link of the newest survey mail to ``address`` the sink kept."""
    for recipients, message in reversed(messages):
        if address in recipients and (match := _SURVEY_URL.search(_text_part(message))):
            return match.group(1)
    return None


def _text_part(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _ticket(demo: DemoContext, reference: str) -> Ticket:
    with demo.sessions() as session:
        return session.execute(select(Ticket).where(Ticket.reference == reference)).scalar_one()


def _queued(session: Session, ticket_id: int, after: int) -> bool:
    return session.execute(select(OutboxRow.id).where(OutboxRow.id > after, OutboxRow.ticket_id == ticket_id,
                                                      OutboxRow.kind == "email")).first() is not None


def _closed(session: Session, ticket_id: int) -> bool:
    return session.get(Ticket, ticket_id).status == "closed"


async def _mails_sent(demo: DemoContext, after: int) -> list[str]:
    def read() -> list[str]:
        with demo.sessions() as session:
            rows = session.execute(select(OutboxRow).where(OutboxRow.id > after, OutboxRow.kind == "email",
                                                           OutboxRow.state == "sent").order_by(OutboxRow.id))
            return [row.payload["template"] for row in rows.scalars()]
    return await asyncio.to_thread(read)
