"""Staff actions on SLA alerts: "I'm on it" and "Escalate".

"I'm on it" is a claim (the Desk's compare-and-set, so it stops the
first-response clock and with it the reminders), then an acknowledgement of
the ticket's alerts and a re-render of the clicked alert. "Escalate" DMs the
next person on ``oncall.escalation`` who has not been alerted about these
cases yet; the ticket rows are locked while choosing, so two clicks at once
escalate one step, and a second click within a minute is refused rather than
skipping a person. Each escalation is in the ticket's event log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.oncall import next_escalation
from bot.desk.staff_actions import ActionResult, Desk
from bot.domain.tickets import Status
from storage.models import Agent, OutboxRow, SlaAlert, Ticket, TicketEvent
from storage.repositories import events, outbox, slack_queue
from storage.repositories.directory import find_agent_by_email

ESCALATED = "sla_escalated"
ESCALATION_PAUSE = timedelta(minutes=1)  # a double click must not skip a person on the list
_CLAIM_ATTEMPTS = 3


class SlaDesk:
    """What the SLA alert buttons do; the Slack listeners translate clicks into these calls."""

    def __init__(self, desk: Desk, sessions: sessionmaker[Session], settings, clock: Callable[[], datetime]):
        self._desk = desk
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    def on_it(self, ticket_id: int, agent_id: int, source_row_id: int | None,
              message: tuple[str, str] | None = None) -> ActionResult:
        """Claim the ticket for the agent, acknowledge its alerts, refresh the clicked alert message."""
        for _ in range(_CLAIM_ATTEMPTS):
            with self._sessions() as session:
                current = session.execute(
                    select(Ticket.revision, Ticket.assignee_id).where(Ticket.id == ticket_id)).one_or_none()
            if current is None:
                return ActionResult(False, "This ticket no longer exists.")
            if current.assignee_id == agent_id:
                break
            result = self._desk.claim(ticket_id, agent_id, current.revision)
            if result.ok:
                break
            if not result.stale:
                return result  # someone else holds it
        else:
            return result
        return self._acknowledge(ticket_id, agent_id, source_row_id, message)

    def escalate(self, source_row_id: int, agent_id: int) -> ActionResult:
        """DM the next person on the escalation list about the open cases of the clicked alert."""
        escalation = self._settings.oncall.escalation
        if not escalation:
            return ActionResult(False, "No escalation list is configured (oncall.escalation).")
        with self._sessions() as session:
            now = self._clock()
            source = session.get(OutboxRow, source_row_id)
            clicker = session.get(Agent, agent_id)
            if source is None or not source.payload.get("alert_ids"):
                return ActionResult(False, "That alert was not understood, so nothing was escalated.")
            open_alerts = self._open_alerts(session, source.payload["alert_ids"])
            if not open_alerts:
                return ActionResult(False, "These cases have had their first response already.")
            tickets = list({ticket.id: ticket for ticket, _ in open_alerts}.values())
            done = session.execute(
                select(TicketEvent).where(TicketEvent.ticket_id.in_([t.id for t in tickets]),
                                          TicketEvent.kind == ESCALATED).order_by(TicketEvent.id)).scalars().all()
            if done and now - done[-1].created_at < ESCALATION_PAUSE:
                return ActionResult(False, f"Already escalated to {done[-1].data.get('to')} a moment ago.")
            email = next_escalation(escalation, [event.data.get("to", "") for event in done], clicker.email)
            if email is None:
                return ActionResult(False, "Everyone on the escalation list has been alerted about this already.")
            target = find_agent_by_email(session, email)
            to = {"user": target.slack_user_id} if target is not None and target.slack_user_id else {"email": email}
            step = len({event.data.get("to") for event in done}) + 1
            outbox.enqueue(session, "slack.dm", f"sla:escalate:{source_row_id}:{step}:{email}",
                           {"alert_ids": [alert_id for _, alert_id in open_alerts], "to": to,
                            "escalated_by": clicker.slack_user_id}, now)
            name = (target.name or target.email) if target is not None else email
            for ticket in tickets:
                events.record_event(session, ticket, ESCALATED, now, actor="agent", agent_id=agent_id, to=email,
                                    step=step)
                slack_queue.queue_audit(session, ticket, now, f"SLA alert escalated to {name}",
                                        actor_slack_id=clicker.slack_user_id, icon="📣")
            session.commit()
            return ActionResult(True, f"Escalated to {name}.")

    def _acknowledge(self, ticket_id: int, agent_id: int, source_row_id: int | None,
                     message: tuple[str, str] | None) -> ActionResult:
        with self._sessions() as session:
            now = self._clock()
            ticket = session.get(Ticket, ticket_id, with_for_update=True, populate_existing=True)
            session.execute(update(SlaAlert).where(SlaAlert.ticket_id == ticket_id,
                                                   SlaAlert.acknowledged_by_agent_id.is_(None))
                            .values(acknowledged_by_agent_id=agent_id).execution_options(synchronize_session=False))
            if ticket.first_response_at is None and ticket.assignee_id == agent_id:
                # Held already, yet unanswered: saying "I'm on it" is handling it.
                ticket.first_response_at, ticket.sla_next_check_at = now, None
                events.record_event(session, ticket, "first_response", now, actor="agent", agent_id=agent_id)
            events.record_event(session, ticket, "sla_acknowledged", now, actor="agent", agent_id=agent_id)
            source = session.get(OutboxRow, source_row_id) if source_row_id else None
            if source is not None and message is not None and source.kind in ("slack.sla_alert", "slack.dm"):
                channel, ts = message
                outbox.enqueue(session, source.kind, f"sla:ack:{source.id}:{uuid.uuid4().hex[:12]}",
                               {**source.payload, "update": {"channel": channel, "ts": ts}}, now, ticket_id=ticket_id)
            session.commit()
            return ActionResult(True, f"{ticket.reference} is yours.")

    @staticmethod
    def _open_alerts(session: Session, alert_ids: list[int]) -> list[tuple[Ticket, int]]:
        """(ticket, alert id) for alerts whose ticket still waits for its first response; tickets locked."""
        rows = session.execute(
            select(Ticket, SlaAlert.id).join(SlaAlert, SlaAlert.ticket_id == Ticket.id)
            .where(SlaAlert.id.in_(alert_ids), Ticket.first_response_at.is_(None), Ticket.status != Status.CLOSED)
            .order_by(Ticket.id).with_for_update(of=Ticket.__table__)
        ).all()
        return [(ticket, alert_id) for ticket, alert_id in rows]
