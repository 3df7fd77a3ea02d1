"""The agents: added by the operator (`supportbot agent …`) or kept in step with Slack user groups, one per line.

Agents are never deleted (tickets, events and shifts refer to them); they are
deactivated, and an inactive agent cannot act in Slack or be put on call.

The sync (``apply_sync``) takes what Slack said — each member of a line's user
group with their profile's e-mail, and whether their account is deactivated — and
makes the roster agree: a member is an active agent of the highest line whose
group they are in (matched by Slack user, else by e-mail, and from then on managed
by the sync, ``source = "slack"``); an agent the sync manages who left every line
group is deactivated; so is any agent whose Slack account is deactivated or gone.
Agents added by hand and in no group are otherwise left alone. The caller commits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.desk.directory_views import iso
from storage.models import Agent

LINES = (1, 2, 3)


class RosterError(Exception):
    """The change cannot be made (a Slack user already linked to another agent)."""


@dataclass(frozen=True)
class SlackMember:
    """One Slack user as the sync saw them: the lines whose group they are in, and their account."""

    user_id: str
    email: str | None = None
    name: str = ""
    lines: tuple[int, ...] = ()
    gone: bool = False  # deactivated or deleted in Slack
    is_bot: bool = False


@dataclass
class SyncReport:
    counts: Counter = field(default_factory=Counter)  # created, updated, deactivated, unchanged
    skipped: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        counts = ", ".join(f"{self.counts[key]} {key}" for key in ("created", "updated", "deactivated", "unchanged"))
        return counts + "".join(f"; skipped {reason}" for reason in self.skipped)


def find_agent(session: Session, email: str) -> Agent | None:
    """The agent with this address, active or not."""
    return session.execute(select(Agent).where(func.lower(Agent.email) == email.strip().lower())).scalar_one_or_none()


def agent_view(agent: Agent) -> dict[str, Any]:
    return {"email": agent.email, "name": agent.name, "line": agent.line, "slack_user_id": agent.slack_user_id,
            "active": agent.active, "source": agent.source, "created_at": iso(agent.created_at)}


def list_agents(session: Session) -> list[dict[str, Any]]:
    """Every agent, active first, by line and e-mail."""
    agents = session.execute(select(Agent).order_by(Agent.active.desc(), Agent.line, Agent.email)).scalars()
    return [agent_view(agent) for agent in agents]


def add_agent(session: Session, email: str, name: str, line: int, slack_user_id: str | None,
              now: datetime) -> tuple[Agent, str]:
    """Create the agent, or update and reactivate them: ``created``, ``updated`` or ``unchanged``."""
    _check_slack_link(session, email, slack_user_id)
    agent = find_agent(session, email)
    if agent is None:
        agent = Agent(email=email, name=name, line=line, slack_user_id=slack_user_id, active=True, source="cli",
                      created_at=now)
        session.add(agent)
        session.flush()
        return agent, "created"
    wanted = {"name": name, "line": line, "active": True, **({"slack_user_id": slack_user_id} if slack_user_id else {})}
    return agent, _apply(agent, wanted)


def set_line(session: Session, email: str, line: int) -> tuple[Agent | None, str]:
    agent = find_agent(session, email)
    return agent, (_apply(agent, {"line": line}) if agent else "unknown")


def deactivate_agent(session: Session, email: str) -> tuple[Agent | None, str]:
    agent = find_agent(session, email)
    if agent is None:
        return None, "unknown"
    return agent, "deactivated" if _apply(agent, {"active": False}) == "updated" else "unchanged"


def linked_slack_users(session: Session) -> list[str]:
    """The Slack users of active agents (the sync asks Slack whether each still exists)."""
    return list(session.execute(select(Agent.slack_user_id).where(Agent.active.is_(True),
                                                                  Agent.slack_user_id.is_not(None))).scalars())


def apply_sync(session: Session, members: Iterable[SlackMember], now: datetime) -> SyncReport:
    """Make the roster agree with what Slack said (see the module docstring)."""
    report = SyncReport()
    members = list(members)
    in_groups = {m.user_id for m in members if m.lines and not m.gone and not m.is_bot}
    for member in members:
        if member.user_id in in_groups:
            _sync_member(session, member, now, report)
    gone = {m.user_id for m in members if m.gone}
    managed = session.execute(select(Agent).where(Agent.active.is_(True), Agent.slack_user_id.is_not(None))).scalars()
    for agent in managed:
        if agent.slack_user_id in gone or (agent.source == "slack" and agent.slack_user_id not in in_groups):
            agent.active = False
            report.counts["deactivated"] += 1
    return report


def _sync_member(session: Session, member: SlackMember, now: datetime, report: SyncReport) -> None:
    if not member.email:
        report.skipped.append(f"{member.user_id}: no e-mail in the Slack profile (scope users:read.email?)")
        return
    email = member.email.strip().lower()
    by_slack = session.execute(select(Agent).where(Agent.slack_user_id == member.user_id)).scalar_one_or_none()
    by_email = find_agent(session, email)
    if by_slack is not None and by_email is not None and by_slack is not by_email:
        report.skipped.append(f"{member.user_id}: linked to {by_slack.email}, but the profile says {email}, "
                              f"another agent")
        return
    agent = by_slack or by_email
    wanted = {"email": email, "line": max(member.lines), "slack_user_id": member.user_id, "active": True,
              "source": "slack"}
    if agent is None:
        session.add(Agent(name=member.name, created_at=now, **wanted))
        session.flush()
        report.counts["created"] += 1
        return
    if not agent.name:
        wanted["name"] = member.name
    report.counts[_apply(agent, wanted)] += 1


def _apply(agent: Agent, wanted: dict[str, Any]) -> str:
    changed = {key: value for key, value in wanted.items() if getattr(agent, key) != value}
    for key, value in changed.items():
        setattr(agent, key, value)
    return "updated" if changed else "unchanged"


def _check_slack_link(session: Session, email: str, slack_user_id: str | None) -> None:
    if not slack_user_id:
        return
    holder = session.execute(select(Agent.email).where(Agent.slack_user_id == slack_user_id)).scalar_one_or_none()
    if holder is not None and holder.lower() != email.lower():
        raise RosterError(f"Slack user {slack_user_id} is linked to the agent {holder}")
