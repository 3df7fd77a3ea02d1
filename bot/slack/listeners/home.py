"""The agents' App Home: my open tickets, unassigned, breaching soon, inquiries waiting, who is on call.

Published (``views.publish``) when an agent opens the tab and again after each
click on it, so it never shows a claim that already happened. Claim and "Open
as ticket" are the same Desk calls as on a card (through the outbox); their
outcome is shown at the top of the republished tab, since a home tab has no
channel for an ephemeral. Someone who is not an agent sees one line and no
tickets. "Open card" is a URL button with the card's permalink
(``chat.getPermalink``, remembered: a message's permalink never changes).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from aiohttp import ClientError
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.sla.status import first_response_status
from bot.slack.ids import HOME_CLAIM, HOME_INQUIRY_OPEN, HOME_OPEN_CARD, HOME_REFRESH
from bot.slack.blocks.home import (
    HOME_ROWS,
    HomeView,
    InquiryRow,
    Listing,
    OnCallView,
    TicketRow,
    build_home,
    build_not_an_agent,
)
from bot.slack.text import fit, is_slack_user_id, mention
from bot.slack.ids import parse_inquiry_value, parse_ticket_value
from bot.slack.listeners.agents import ONLY_AGENTS, AgentLookupFailed, AgentRef
from bot.slack.listeners.clicks import clicked_value, user_of
from bot.slack.listeners.lookups import ticket_by_id
from bot.slack.listeners.notices import NOT_UNDERSTOOD
from bot.desk.oncall import OncallError, on_call, parse_rota
from bot.intake.slack_runner import for_listeners
from storage.models import Agent, Inquiry, Organisation, Ticket

log = logging.getLogger("supportbot.slack")

BREACHING_WITHIN_MINUTES = 30
_PERMALINKS: OrderedDict[tuple[str, str, str], str] = OrderedDict()
_PERMALINKS_KEPT = 4096


# -- listeners ------------------------------------------------------------------------


async def home_opened(event, client, services) -> None:
    """The agent opened the Home tab (not the Messages tab): publish it afresh."""
    if event.get("tab") == "home" and event.get("user"):
        await publish_home(client, services, event["user"])


async def home_refreshed(ack, body, client, services) -> None:
    """↻ Refresh."""
    await ack()
    await publish_home(client, services, user_of(body))


async def home_claimed(ack, body, client, services) -> None:
    """Claim on a home row: the Desk's compare-and-set, then the tab again with the outcome on top."""
    await ack()
    user = user_of(body)
    agent = await _agent(client, services, user)
    if agent is None:
        return
    try:
        value = parse_ticket_value(clicked_value(body))
    except ValueError:
        await publish_home(client, services, user, f"⛔ {NOT_UNDERSTOOD}")
        return
    result = await asyncio.to_thread(services.desk.claim, value.ticket_id, agent.id, value.seen)
    ticket = await ticket_by_id(services.sessions, value.ticket_id)
    reference = fit(ticket.reference, 40) if ticket else "the ticket"
    if result.ok:
        notice = f"👀 You claimed *{reference}*."
    elif is_slack_user_id(result.holder_slack_id):
        notice = f"⛔ *{reference}* is already claimed by {mention(result.holder_slack_id)}."
    else:
        notice = f"⛔ {fit(result.message, 500)}"
    await publish_home(client, services, user, notice)


async def home_inquiry_opened(ack, body, client, services) -> None:
    """"Open as ticket" on a home row: the inquiry's ticket (receipt, card), then the tab again."""
    await ack()
    user = user_of(body)
    agent = await _agent(client, services, user)
    if agent is None:
        return
    try:
        inquiry_id = parse_inquiry_value(clicked_value(body))
    except ValueError:
        await publish_home(client, services, user, f"⛔ {NOT_UNDERSTOOD}")
        return
    result = await asyncio.to_thread(services.desk.open_inquiry, inquiry_id, agent.id)
    await publish_home(client, services, user, f"{'✅' if result.ok else '⛔'} {fit(result.message, 500)}")


async def link_clicked(ack) -> None:
    """A URL button (the browser follows it); Slack still wants the click acknowledged."""
    await ack()


async def publish_home(client, services, user: str, notice: str | None = None) -> None:
    """Build ``user``'s home tab from the database and publish it (``notice``: escaped mrkdwn on top)."""
    try:
        agent = await services.agents.resolve(client, user)
    except AgentLookupFailed as exc:
        log.warning("users.info for %s failed (%s); home tab not published", user, exc)
        return
    if agent is None:
        await client.views_publish(user_id=user, view=build_not_an_agent(ONLY_AGENTS))
        return
    calendar = for_listeners(services).calendar
    view = await asyncio.to_thread(read_home, services, calendar, services.clock(), agent, notice)
    links = await permalinks(client, view.links_needed())
    await client.views_publish(user_id=user, view=build_home(view, links))


async def _agent(client, services, user: str) -> AgentRef | None:
    """The agent behind a click on the home tab; anyone else gets the not-an-agent tab."""
    try:
        agent = await services.agents.resolve(client, user)
    except AgentLookupFailed as exc:
        log.warning("users.info for %s failed (%s); home click ignored", user, exc)
        return None
    if agent is None:
        log.info("refused Slack user %s on the home tab: not an agent", user)
        await client.views_publish(user_id=user, view=build_not_an_agent(ONLY_AGENTS))
    return agent


# -- reads ------------------------------------------------------------------------------


def read_home(services, calendar, now: datetime, agent: AgentRef, notice: str | None) -> HomeView:
    """Everything the agent's home tab shows, in one short read transaction."""
    local = now.astimezone(calendar.tz)
    with services.sessions() as session:
        due_by = calendar.add_business_minutes(now, BREACHING_WITHIN_MINUTES)
        open_tickets = Ticket.status != "closed"
        breaching = open_tickets & Ticket.first_response_at.is_(None) & (Ticket.first_response_due_at <= due_by)
        return HomeView(
            agent_name=agent.display_name,
            mine=ticket_listing(session, calendar, now, open_tickets & (Ticket.assignee_id == agent.id)),
            unassigned=ticket_listing(session, calendar, now, open_tickets & Ticket.assignee_id.is_(None)),
            breaching=ticket_listing(session, calendar, now, breaching, order=Ticket.first_response_due_at),
            inquiries=_inquiry_listing(session, services.settings, calendar),
            oncall=oncall_now(session, services.settings, calendar, now),
            updated_text=f"updated {local:%H:%M}", notice=notice,
        )


def ticket_listing(session: Session, calendar, now: datetime, where, *, order=None, limit: int = HOME_ROWS) -> Listing:
    """The first ``limit`` tickets matching ``where`` (oldest first, or by ``order``) and how many match."""
    total = session.execute(select(func.count(Ticket.id)).where(where)).scalar_one()
    found = session.execute(select(Ticket).where(where).order_by(order if order is not None else Ticket.id, Ticket.id)
                            .limit(limit)).scalars().all()
    names = _organisation_names(session, (t.organisation_id for t in found))
    agents = {a.id: a for a in session.execute(
        select(Agent).where(Agent.id.in_({t.assignee_id for t in found if t.assignee_id}))).scalars()}
    rows = tuple(_ticket_row(t, names, agents.get(t.assignee_id), calendar, now) for t in found)
    return Listing(rows, total)


def oncall_now(session: Session, settings, calendar, now: datetime) -> OnCallView:
    """Who is on call at ``now`` (shift → rota → user group → nobody; see bot/desk/oncall.py)."""
    try:
        rules = parse_rota(settings.oncall.rota, calendar.tz)
    except OncallError as exc:
        return OnCallView(None, f"unknown: {exc}")
    who = on_call(session, rules, settings.oncall.slack_usergroup, now, calendar.tz)
    return OnCallView(who.slack_user_id, who.describe())


def _ticket_row(ticket: Ticket, names: dict[int, str], assignee: Agent | None, calendar, now: datetime) -> TicketRow:
    sla = first_response_status(calendar, now, ticket.first_response_due_at, ticket.first_response_warn_at,
                                ticket.first_response_at)
    return TicketRow(
        ticket_id=ticket.id, revision=ticket.revision, reference=ticket.reference, subject=ticket.subject,
        status=ticket.status, priority=ticket.priority, organisation_name=names.get(ticket.organisation_id),
        assignee_slack_id=assignee.slack_user_id if assignee else None,
        assignee_name=(assignee.name or assignee.email) if assignee else None,
        sla_text=sla.text if sla else None, sla_state=sla.state if sla else None,
        card=(ticket.slack_channel, ticket.slack_card_ts) if ticket.slack_channel and ticket.slack_card_ts else None,
        line=ticket.line, assignee_id=ticket.assignee_id,
    )


def _inquiry_listing(session: Session, settings, calendar) -> Listing:
    waiting = Inquiry.status == "waiting"
    total = session.execute(select(func.count(Inquiry.id)).where(waiting)).scalar_one()
    found = session.execute(select(Inquiry).where(waiting).order_by(Inquiry.id).limit(HOME_ROWS)).scalars().all()
    names = _organisation_names(session, (i.organisation_id for i in found))
    staff = settings.slack.staff_channel
    rows = tuple(InquiryRow(
        inquiry_id=i.id, channel=i.channel, sender=i.sender_name or i.sender_email or i.slack_user_id or "unknown",
        organisation_name=names.get(i.organisation_id), subject=i.subject,
        received_text=f"received {i.created_at.astimezone(calendar.tz):%Y-%m-%d %H:%M}",
        notice=(staff, i.slack_notice_ts) if staff and i.slack_notice_ts else None,
    ) for i in found)
    return Listing(rows, total)


def _organisation_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))).all())


# -- permalinks ------------------------------------------------------------------------


async def permalinks(client, messages: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Permalinks of ``(channel, ts)`` messages; remembered, fetched concurrently, left out when Slack says no."""
    base = str(getattr(client, "base_url", ""))
    wanted = list(dict.fromkeys(messages))
    missing = [m for m in wanted if (base, *m) not in _PERMALINKS]
    for message, url in zip(missing, await asyncio.gather(*(_permalink(client, *m) for m in missing))):
        if url:
            _PERMALINKS[(base, *message)] = url
            if len(_PERMALINKS) > _PERMALINKS_KEPT:
                _PERMALINKS.popitem(last=False)
    return {m: _PERMALINKS[(base, *m)] for m in wanted if (base, *m) in _PERMALINKS}


async def _permalink(client, channel: str, ts: str) -> str | None:
    try:
        response = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except SlackApiError as exc:  # e.g. message_not_found: the row simply has no link
        log.info("no permalink for %s %s: %s", channel, ts, exc.response.get("error"))
        return None
    except (ClientError, TimeoutError) as exc:  # after the client's own retries; try again next time
        log.info("no permalink for %s %s: %r", channel, ts, exc)
        return None
    return response.get("permalink")


LISTENERS = (
    ("event", "app_home_opened", home_opened),
    ("action", HOME_REFRESH, home_refreshed),
    ("action", HOME_CLAIM, home_claimed),
    ("action", HOME_INQUIRY_OPEN, home_inquiry_opened),
    ("action", HOME_OPEN_CARD, link_clicked),
)
