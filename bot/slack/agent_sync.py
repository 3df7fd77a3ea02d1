"""Agents from Slack user groups, one per line (`slack.line_usergroups`): `supportbot agent sync` and hourly in `run`.

Asks Slack who is in each line's group (``usergroups.users.list``, scope
``usergroups:read``), then each member's profile (``users.info``, scopes
``users:read`` and ``users:read.email``: the e-mail maps a Slack user to an agent),
and the same for every active agent linked to a Slack user outside the groups, to
notice accounts deactivated in Slack (``deleted: true``, or ``user_not_found``).
``bot/desk/roster.py`` then makes the roster agree, in one transaction.

If Slack cannot answer for a group (a wrong id: ``no_such_subteam``), nothing
changes: a partial answer would deactivate that line's agents.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import SlackSettings
from bot.desk.roster import SlackMember, SyncReport, apply_sync, linked_slack_users
from bot.jobs.periodic import PeriodicJob
from bot.slack.client import make_sync_web_client

log = logging.getLogger("supportbot.agents")


class SyncFailed(Exception):
    """Slack did not answer what the sync needs; nothing was changed."""


def read_members(client: WebClient, line_usergroups: Mapping[str, str], also: Iterable[str] = ()) -> list[SlackMember]:
    """Every member of the line groups (with their lines) and every user in ``also``, as Slack describes them now."""
    lines: dict[str, set[int]] = {}
    for line, group in sorted(line_usergroups.items()):
        for user_id in _call(client, "usergroups_users_list", usergroup=group).get("users") or []:
            lines.setdefault(user_id, set()).add(int(line))
    return [_member(client, user_id, tuple(sorted(lines.get(user_id, ()))))
            for user_id in sorted(set(lines) | set(also))]


def _member(client: WebClient, user_id: str, lines: tuple[int, ...]) -> SlackMember:
    try:
        user = _call(client, "users_info", user=user_id).get("user") or {}
    except SyncFailed as exc:
        if isinstance(exc.__cause__, SlackApiError) and exc.__cause__.response.get("error") == "user_not_found":
            return SlackMember(user_id, lines=lines, gone=True)
        raise
    profile = user.get("profile") or {}
    return SlackMember(user_id, email=profile.get("email") or None,
                       name=(profile.get("real_name") or user.get("real_name") or "")[:255], lines=lines,
                       gone=bool(user.get("deleted")), is_bot=bool(user.get("is_bot")))


def _call(client: WebClient, method: str, **params) -> dict:
    try:
        return getattr(client, method)(**params).data
    except SlackApiError as exc:
        raise SyncFailed(f"{method.replace('_', '.')} {params}: {exc.response.get('error')}") from exc
    except (SlackClientError, OSError) as exc:  # after the client's retries
        raise SyncFailed(f"{method.replace('_', '.')}: {type(exc).__name__}: {exc}") from exc


def sync_agents(sessions: sessionmaker[Session], client: WebClient, line_usergroups: Mapping[str, str],
                now: datetime) -> SyncReport:
    """Read Slack, then change the roster in one transaction; SyncFailed (and no change) when Slack could not say."""
    with sessions() as session:
        linked = linked_slack_users(session)
    members = read_members(client, line_usergroups, linked)
    with sessions() as session:
        report = apply_sync(session, members, now)
        session.commit()
    return report


class AgentSync:
    """The periodic sync in `run`: a sync Slack could not answer is one WARNING, and the next one tries again."""

    def __init__(self, sessions: sessionmaker[Session], client: WebClient, line_usergroups: Mapping[str, str],
                 clock):
        self._sessions, self._client, self._groups, self._clock = sessions, client, line_usergroups, clock

    def __call__(self) -> SyncReport | None:
        try:
            return sync_agents(self._sessions, self._client, self._groups, self._clock())
        except SyncFailed as exc:
            log.warning("agent sync from Slack user groups failed, nothing changed: %s", exc)
            return None


def agent_sync_job(sessions: sessionmaker[Session], slack: SlackSettings, clock) -> PeriodicJob:
    """The roster kept in step with the line user groups (``slack.line_usergroups``), every
    ``slack.agent_sync_interval_s``."""
    sync = AgentSync(sessions, make_sync_web_client(slack), slack.line_usergroups, clock)
    return PeriodicJob("agent_sync", slack.agent_sync_interval_s, sync)
