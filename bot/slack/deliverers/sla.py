"""Delivers SLA alerts: ``slack.sla_alert`` (the alerts channel) and ``slack.dm`` (a person's DMs).

Rendered from the database at delivery time, so an alert whose case got its
first response meanwhile is dropped rather than posted late, and an update
after "I'm on it" (payload ``update``: channel and ts) shows who took it.
Who is on call was decided when the alert was recorded, except for a Slack
user group: its members are asked for here (``usergroups.users.list``),
because only the Slack edge talks to Slack. A DM to a user group fans out into
one ``slack.dm`` row per member, queued in the delivering transaction, so a
retry never DMs a member twice. The card link is ``chat.getPermalink`` for a
single alert and a built ``slack.com/archives`` link in digests (one call per
listed case would be slower than the post itself).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from bot.domain.tickets import Status
from bot.slack.blocks.card import POST_DEFAULTS
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.blocks.sla import AlertLine, build_sla_message
from bot.jobs.outbox import GiveUp
from bot.jobs.sla_notify import card_url
from storage.models import Agent, Organisation, OutboxRow, SlaAlert, Ticket
from storage.repositories import outbox

log = logging.getLogger("supportbot.sla")


class SlaDeliverer(SlackDeliverer):
    """``KINDS`` maps the two SLA kinds to their methods (``by_kind`` merges them with SlackDeliverer's).

    A SlackDeliverer for its client, pacing and error handling; ``alert`` here is
    the SLA alert with buttons, not the plain alerts-channel post.
    """

    KINDS = {"slack.sla_alert": "alert", "slack.dm": "dm"}

    def alert(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        lines = self._lines(session, payload["alert_ids"], permalinks=len(payload["alert_ids"]) == 1)
        if not lines or ("update" not in payload and all(line.handled for line in lines)):
            return {"skipped": "handled before delivery"}
        oncall_ids, note = self._oncall_users(payload.get("oncall"))
        message = build_sla_message(lines, source_row=payload.get("source_row", row.id), oncall_ids=oncall_ids,
                                    oncall_note=note)
        channel = self._settings.slack.alerts_channel or self._settings.slack.staff_channel
        if not channel:
            raise GiveUp("neither slack.alerts_channel nor slack.staff_channel is set")
        return self._send(payload, channel, message)

    def dm(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        to = payload["to"]
        if "usergroup" in to and "update" not in payload:
            return self._fan_out(row, session, to["usergroup"])
        lines = self._lines(session, payload["alert_ids"], permalinks=len(payload["alert_ids"]) == 1)
        if not lines or ("update" not in payload and all(line.handled for line in lines)):
            return {"skipped": "handled before delivery"}
        message = build_sla_message(lines, source_row=payload.get("source_row", row.id),
                                    escalated_by=payload.get("escalated_by"), in_channel=False)
        if "update" in payload:
            return self._send(payload, "", message)
        user = to.get("user") or self._user_by_email(to["email"])
        channel = self._call("conversations_open", users=user)["channel"]["id"]
        return self._send(payload, channel, message)

    # -- helpers ------------------------------------------------------------------------------

    def _send(self, payload: dict, channel: str, message: dict) -> dict:
        update = payload.get("update")
        if update:
            self._call("chat_update", channel=update["channel"], ts=update["ts"], text=message["text"],
                       blocks=message["blocks"])
            return {"channel": update["channel"], "ts": update["ts"]}
        self._pacer.wait(channel)
        response = self._call("chat_postMessage", channel=channel, text=message["text"], blocks=message["blocks"],
                              **POST_DEFAULTS)
        return {"channel": response["channel"], "ts": response["ts"]}

    def _fan_out(self, row: OutboxRow, session: Session, usergroup: str) -> dict:
        users = self._call("usergroups_users_list", usergroup=usergroup).get("users") or []
        for user in users:
            outbox.enqueue(session, "slack.dm", f"{row.idempotency_key}:{user}"[:255],
                           {**row.payload, "to": {"user": user}, "source_row": row.payload.get("source_row", row.id)},
                           self._clock(), ticket_id=row.ticket_id)
        return {"fanout": users}

    def _lines(self, session: Session, alert_ids: list[int], *, permalinks: bool) -> list[AlertLine]:
        now = self._clock()
        acker = aliased(Agent)
        rows = session.execute(
            select(SlaAlert, Ticket, Organisation.name, acker.slack_user_id)
            .join(Ticket, Ticket.id == SlaAlert.ticket_id)
            .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
            .outerjoin(acker, acker.id == SlaAlert.acknowledged_by_agent_id)
            .where(SlaAlert.id.in_(alert_ids)).order_by(SlaAlert.id)
        ).all()
        return [
            AlertLine(ticket.id, ticket.reference, ticket.subject, organisation, alert.level, alert.occurrence,
                      self._timing(alert.level, ticket.first_response_due_at, now),
                      self._card_link(ticket, permalinks), acked,
                      ticket.first_response_at is not None or ticket.status == Status.CLOSED)
            for alert, ticket, organisation, acked in rows
        ]

    def _timing(self, level: str, due_at: datetime, now: datetime) -> str:
        local = due_at.astimezone(self._calendar.tz)
        when = f"{local:%H:%M}" if local.date() == now.astimezone(self._calendar.tz).date() else f"{local:%a %d %b %H:%M}"
        if level == "warning":
            left = max(0, round(self._calendar.business_minutes_between(now, due_at)))
            return f"first response due {when} (in {left} business min)"
        late = max(0, round(self._calendar.business_minutes_between(due_at, now)))
        return f"first response was due {when} · overdue {late} business min"

    def _card_link(self, ticket: Ticket, permalink: bool) -> str | None:
        if not (ticket.slack_channel and ticket.slack_card_ts):
            return None
        if permalink:
            try:
                return self._call("chat_getPermalink", channel=ticket.slack_channel,
                                  message_ts=ticket.slack_card_ts)["permalink"]
            except GiveUp:
                pass  # a link we can build ourselves beats no alert
        return card_url(ticket.slack_channel, ticket.slack_card_ts, "")

    def _oncall_users(self, oncall: dict | None) -> tuple[list[str], str | None]:
        """Slack ids to mention, and a note when there is no one to mention."""
        if not oncall:
            return [], "set oncall.rota, `supportbot oncall set` or oncall.slack_usergroup"
        if "user" in oncall:
            return [oncall["user"]], None
        try:
            if "email" in oncall:
                return [self._user_by_email(oncall["email"])], None
            return list(self._call("usergroups_users_list", usergroup=oncall["usergroup"]).get("users") or []), None
        except GiveUp as exc:  # post the alert anyway; a misconfigured rota must not swallow it
            log.warning("sla alert: on-call lookup failed: %s", exc)
            return [], f"on-call lookup failed ({exc})"

    def _user_by_email(self, email: str) -> str:
        return self._call("users_lookupByEmail", email=email)["user"]["id"]

