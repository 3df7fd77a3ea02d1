"""Who is on call: shifts set with `supportbot oncall set`, the configured rota, or a Slack user group.

Precedence at an instant: a shift in the database (the latest one set wins,
so a swap is one command) → a dated `oncall.rota` entry → a weekly one (the
first matching entry in file order) → `oncall.slack_usergroup` (its members
are fetched at delivery time, because only the Slack edge talks to Slack) →
nobody (the alert is posted without a mention and says so).

Rota entries, in the desk's time zone (``start`` inclusive, ``end`` exclusive)::

    { who = "agnes@vendor.se", start = "2026-05-11", end = "2026-05-17" }       # whole days: 11th 00:00 → 18th 00:00
    { who = "bo@vendor.se", start = "2026-05-18T08:00", end = "2026-05-18T17:00" }
    { who = "agnes@vendor.se", start = "monday", end = "wednesday" }            # every week, Mon 00:00 → Thu 00:00
    { who = "bo@vendor.se", start = "friday 16:00", end = "monday 09:00" }      # every week, across the weekend

A date or weekday without a time means the whole day (as ``end``: up to the
end of that day). Weekday names are English or Swedish, full or three letters
(``mon``, ``måndag``, ``mån``). Both ends of an entry are dates or both are
weekdays; a weekly entry may wrap past Sunday. Weekly times are wall-clock
times, so a shift keeps its hours across a DST change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Agent, OncallShift
from storage.repositories.directory import find_agent_by_email

WEEKDAYS = {
    name: index
    for index, names in enumerate((
        ("monday", "mon", "måndag", "mån"), ("tuesday", "tue", "tisdag", "tis"), ("wednesday", "wed", "onsdag", "ons"),
        ("thursday", "thu", "torsdag", "tor"), ("friday", "fri", "fredag", "fre"), ("saturday", "sat", "lördag", "lör"),
        ("sunday", "sun", "söndag", "sön"),
    ))
    for name in names
}
_WEEKDAY = re.compile(r"^(?P<day>[a-zåäö]+)(?:[ T](?P<time>\d{1,2}:\d{2}))?$")
WEEK_MINUTES = 7 * 24 * 60


class OncallError(ValueError):
    """A rota entry that cannot be understood; the message names the setting."""


@dataclass(frozen=True, slots=True)
class RotaRule:
    """One rota entry, parsed: dated (``start_at``/``end_at``) or weekly (minutes since Monday 00:00)."""

    who: str
    start_at: datetime | None = None
    end_at: datetime | None = None
    week_start: int = 0
    week_end: int = 0

    @property
    def weekly(self) -> bool:
        return self.start_at is None

    def covers(self, at: datetime, tz: ZoneInfo) -> bool:
        if not self.weekly:
            return self.start_at <= at < self.end_at
        local = at.astimezone(tz)
        minute = local.weekday() * 24 * 60 + local.hour * 60 + local.minute
        if self.week_start < self.week_end:
            return self.week_start <= minute < self.week_end
        return minute >= self.week_start or minute < self.week_end  # wraps past Sunday (or the whole week)


@dataclass(frozen=True, slots=True)
class OnCall:
    """Who gets the alert: an agent (by Slack id, else by e-mail), a user group, or nobody."""

    source: str  # shift | rota | usergroup | nobody
    email: str | None = None
    name: str | None = None
    slack_user_id: str | None = None
    agent_id: int | None = None
    usergroup: str | None = None

    def target(self) -> dict | None:
        """The outbox payload's ``to`` for a DM (resolved by the Slack edge), None for nobody."""
        if self.slack_user_id:
            return {"user": self.slack_user_id}
        if self.email:
            return {"email": self.email}
        if self.usergroup:
            return {"usergroup": self.usergroup}
        return None

    def describe(self) -> str:
        if self.source == "usergroup":
            return f"Slack user group {self.usergroup}"
        if self.source == "nobody":
            return "nobody"
        return f"{self.name or self.email} ({self.email}, from the {self.source})"


def parse_rota(entries: Iterable, tz: ZoneInfo) -> tuple[RotaRule, ...]:
    """Parse ``oncall.rota`` entries (objects with who/start/end); raises OncallError naming the entry."""
    rules = []
    for index, entry in enumerate(entries):
        where = f"oncall.rota[{index}]"
        start, end = entry.start.strip().lower(), entry.end.strip().lower()
        if not entry.who.strip():
            raise OncallError(f"{where}.who: empty")
        weekly_start, weekly_end = _WEEKDAY.match(start), _WEEKDAY.match(end)
        if weekly_start and weekly_end:
            start_minute = _week_minute(weekly_start, f"{where}.start", False)
            end_minute = _week_minute(weekly_end, f"{where}.end", True) % WEEK_MINUTES
            rules.append(RotaRule(entry.who.strip().lower(), week_start=start_minute, week_end=end_minute))
        elif weekly_start or weekly_end:
            raise OncallError(f"{where}: start and end must both be dates or both be weekday names")
        else:
            start_at = _instant(start, tz, f"{where}.start", end_of_day=False)
            end_at = _instant(end, tz, f"{where}.end", end_of_day=True)
            if end_at <= start_at:
                raise OncallError(f"{where}: end {entry.end!r} is not after start {entry.start!r}")
            rules.append(RotaRule(entry.who.strip().lower(), start_at=start_at, end_at=end_at))
    return tuple(rules)


def rota_on_call(rules: Sequence[RotaRule], at: datetime, tz: ZoneInfo) -> str | None:
    """The e-mail of who the rota names at ``at``: dated entries before weekly ones, first match wins."""
    for weekly in (False, True):
        for rule in rules:
            if rule.weekly == weekly and rule.covers(at, tz):
                return rule.who
    return None


def on_call(session: Session, rules: Sequence[RotaRule], usergroup: str, at: datetime, tz: ZoneInfo) -> OnCall:
    """Who is on call at ``at`` (see the module docstring for the precedence). One or two small reads."""
    row = session.execute(
        select(Agent, OncallShift.id).join(OncallShift, OncallShift.agent_id == Agent.id)
        .where(OncallShift.starts_at <= at, OncallShift.ends_at > at).order_by(OncallShift.id.desc()).limit(1)
    ).first()
    if row is not None:
        return _agent_on_call("shift", row[0])
    email = rota_on_call(rules, at, tz)
    if email is not None:
        agent = find_agent_by_email(session, email)
        if agent is not None:
            return _agent_on_call("rota", agent)
        return OnCall("rota", email=email)
    if usergroup:
        return OnCall("usergroup", usergroup=usergroup)
    return OnCall("nobody")


def next_escalation(escalation: Sequence[str], already: Iterable[str], clicker_email: str | None) -> str | None:
    """The first person on the escalation list not yet alerted and not the one escalating."""
    skip = {email.lower() for email in already} | ({clicker_email.lower()} if clicker_email else set())
    return next((email for email in escalation if email.lower() not in skip), None)


def _agent_on_call(source: str, agent: Agent) -> OnCall:
    return OnCall(source, email=agent.email, name=agent.name or agent.email, slack_user_id=agent.slack_user_id,
                  agent_id=agent.id)


def _week_minute(match: re.Match, where: str, end: bool) -> int:
    day = WEEKDAYS.get(match["day"])
    if day is None:
        raise OncallError(f"{where}: {match.group(0)!r} is not a date or a weekday name")
    if match["time"] is None:
        return (day + 1 if end else day) * 24 * 60  # a bare weekday is the whole day
    hour, minute = (int(part) for part in match["time"].split(":"))
    if hour > 23 or minute > 59:
        raise OncallError(f"{where}: {match['time']!r} is not a time of day")
    return day * 24 * 60 + hour * 60 + minute


def _instant(text: str, tz: ZoneInfo, where: str, *, end_of_day: bool) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1 if end_of_day else 0), time(0), tz)
        parsed = datetime.fromisoformat(text.upper())
    except ValueError:
        raise OncallError(f"{where}: {text!r} is not a date, an ISO time or a weekday name") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)
