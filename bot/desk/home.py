"""The App Home's read model: an agent's open tickets, the unassigned, those breaching soon, inquiries, on call.

Read in one short transaction (:func:`read_home`); the rows are plain data
with already-rendered SLA text, which ``bot/slack/blocks/home.py`` lays out.
``/support mine`` and ``/support oncall`` use the same listings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.oncall import OncallError, on_call, parse_rota
from bot.domain.sla.status import first_response_status
from bot.domain.stale_clicks import Seen
from storage.models import Agent, Inquiry, Organisation, Ticket

BREACHING_WITHIN_MINUTES = 30
HOME_ROWS = 10  # rows per list on the tab (a home view holds 100 blocks)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket in a list: what it is, where it stands, and where its card is."""

    ticket_id: int
    revision: int
    reference: str
    subject: str
    status: str
    priority: str
    organisation_name: str | None = None
    assignee_slack_id: str | None = None
    assignee_name: str | None = None
    sla_text: str | None = None
    sla_state: str | None = None
    card: tuple[str, str] | None = None  # (channel, ts) of the card
    line: int = 1
    assignee_id: int | None = None

    @property
    def seen(self) -> Seen:
        """What the row shows that a claim rests on; its buttons carry it."""
        return Seen(self.revision, self.assignee_id, self.status, self.line, self.priority)


@dataclass(frozen=True, slots=True)
class InquiryRow:
    """A new case or unknown sender waiting for staff."""

    inquiry_id: int
    channel: str  # email | slack
    sender: str
    organisation_name: str | None = None
    subject: str | None = None
    received_text: str = ""
    notice: tuple[str, str] | None = None  # (channel, ts) of its notice


@dataclass(frozen=True, slots=True)
class Listing:
    """The first rows of a list and how many there are in all."""

    rows: tuple
    total: int


@dataclass(frozen=True, slots=True)
class OnCallView:
    """Who is on call: an agent's Slack id when known, else words (name, e-mail, user group, nobody)."""

    slack_user_id: str | None
    text: str


@dataclass(frozen=True, slots=True)
class HomeView:
    """The App Home of one agent."""

    agent_name: str
    mine: Listing
    unassigned: Listing
    breaching: Listing
    inquiries: Listing
    oncall: OnCallView
    updated_text: str  # e.g. "updated 10:15"
    notice: str | None = None  # what happened to the agent's last click, already built (escaped) mrkdwn

    def links_needed(self) -> set[tuple[str, str]]:
        """Every card and notice whose permalink the rows want."""
        tickets = (*self.mine.rows, *self.unassigned.rows, *self.breaching.rows)
        return {row.card for row in tickets if row.card} | {row.notice for row in self.inquiries.rows if row.notice}



def read_home(sessions, settings, calendar, now: datetime, agent_name: str, agent_id: int,
              notice: str | None) -> HomeView:
    """Everything the agent's home tab shows, in one short read transaction."""
    local = now.astimezone(calendar.tz)
    with sessions() as session:
        due_by = calendar.add_business_minutes(now, BREACHING_WITHIN_MINUTES)
        open_tickets = Ticket.status != "closed"
        breaching = open_tickets & Ticket.first_response_at.is_(None) & (Ticket.first_response_due_at <= due_by)
        return HomeView(
            agent_name=agent_name,
            mine=ticket_listing(session, calendar, now, open_tickets & (Ticket.assignee_id == agent_id)),
            unassigned=ticket_listing(session, calendar, now, open_tickets & Ticket.assignee_id.is_(None)),
            breaching=ticket_listing(session, calendar, now, breaching, order=Ticket.first_response_due_at),
            inquiries=_inquiry_listing(session, settings, calendar),
            oncall=oncall_now(session, settings, calendar, now),
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
