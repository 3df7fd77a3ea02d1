"""The SLA monitor: periodic work that raises first-response warnings, breaches and reminders.

Each ticket carries ``sla_next_check_at``, the next instant it needs a look
(its warning instant when opened; then its due time; then ``sla.repeat_minutes``
business minutes after each breach or reminder; NULL once answered). A tick is
therefore one range read on the ``ix_tickets_sla_pending`` index —
``sla_next_check_at <= now``, oldest first, a batch at a time, ``FOR UPDATE
SKIP LOCKED`` on PostgreSQL so that replicas split the work — never a scan of
every open ticket, and never a query per ticket or per day. The same read brings
each ticket's last recorded alert (a lookup on the alerts' unique key), because
what is due next follows from it: a monitor that was down or slow raises the
breach it missed, once, and then the reminders from there — never a burst.

Per batch, in one transaction: decide each ticket's next alert
(:func:`bot.domain.sla.levels.decide`), insert the alert rows with ``ON
CONFLICT DO NOTHING … RETURNING`` on the unique (ticket, kind, level,
occurrence) key, queue outbox rows for the inserted ones only
(:mod:`bot.jobs.sla_notify`), and move every ticket's ``sla_next_check_at``
on. Two replicas, or a restart between commit and delivery, cannot send an
alert twice: the second insert finds the key taken and queues nothing.

Out of hours the clocks stand still (business minutes) and, unless
``sla.alert_out_of_hours``, a tick does nothing at all: the tickets keep their
``sla_next_check_at`` and are looked at when the desk opens.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.sla.levels import Raised, decide
from bot.domain.tickets import Status
from bot.jobs import sla_bulk, sla_notify
from bot.desk.oncall import on_call, parse_rota
from storage.models import Agent, Organisation, OutboxRow, SlaAlert, Ticket, UtcDateTime
from storage.repositories.upsert import insert_ignoring_conflict

log = logging.getLogger("supportbot.sla")

KIND = "first_response"


@dataclass
class TickReport:
    """What one tick did; false when it raised no alert (so a periodic runner logs only the ticks that did)."""

    looked_at: int = 0
    alerts: Counter = field(default_factory=Counter)  # level → new alerts
    digests: int = 0
    closed_desk: bool = False
    elapsed_ms: float = 0.0

    def __bool__(self) -> bool:
        return bool(self.alerts)

    def __str__(self) -> str:
        levels = ", ".join(f"{count} {level}" for level, count in sorted(self.alerts.items())) or "no alerts"
        return f"{self.looked_at} tickets looked at, {levels}, {self.digests} digests, {self.elapsed_ms:.1f} ms"


class SlaMonitor:
    """``tick(now)`` every ``sla.monitor_interval_s``; any number of replicas may tick at once.

    ``tick()`` without an argument reads the injected clock, so
    ``PeriodicJob("sla-monitor", settings.sla.monitor_interval_s, monitor.tick)`` runs it.
    """

    def __init__(self, sessions: sessionmaker[Session], settings, calendar, clock: Callable[[], datetime], *,
                 batch_size: int = 1000, digest_threshold: int | None = None):
        self._sessions = sessions
        self._settings = settings
        self._calendar = calendar
        self._clock = clock
        self._batch = batch_size
        self._threshold = digest_threshold if digest_threshold is not None else settings.sla.digest_after
        self._rota = parse_rota(settings.oncall.rota, calendar.tz)  # a bad rota stops the start, naming the entry
        self._due = self._due_query()

    def tick(self, now: datetime | None = None) -> TickReport:
        """Look at every ticket whose next SLA instant has passed; batch after batch until none is left."""
        began = time.perf_counter()
        now = now or self._clock()
        report = TickReport()
        if not self._settings.sla.alert_out_of_hours and not self._calendar.is_open(now):
            report.closed_desk = True
            return report
        while True:
            seen = self._batch_once(now, report)
            report.looked_at += seen
            if seen < self._batch:
                break
        report.elapsed_ms = (time.perf_counter() - began) * 1000
        return report

    def _batch_once(self, now: datetime, report: TickReport) -> int:
        with self._sessions() as session:
            rows = session.execute(self._due, {"now": now}).all()
            if not rows:
                return 0
            moves, wanted, facts = [], [], {}
            for row in rows:
                if row.first_response_at is not None or row.status == Status.CLOSED or row.first_response_due_at is None:
                    moves.append((row.id, None))  # nothing left to watch
                    continue
                last = Raised(row.last_level, row.last_occurrence, row.last_at) if row.last_level else None
                decision = decide(self._calendar, now, row.first_response_warn_at, row.first_response_due_at,
                                  self._settings.sla.repeat_minutes, last)
                moves.append((row.id, decision.next_check_at))
                if decision.level is not None:
                    wanted.append((row.id, KIND, decision.level, decision.occurrence))
                    facts[row.id] = row
            new_alerts = self._record(session, wanted, facts, now)
            if new_alerts:
                oncall = on_call(session, self._rota, self._settings.oncall.slack_usergroup, now, self._calendar.tz)
                self._queue(session, sla_notify.plan(new_alerts, oncall, self._settings, now, self._calendar.tz,
                                                     self._threshold), now, report)
                report.alerts.update(alert.level for alert in new_alerts)
            sla_bulk.move_on(session, moves)
            session.commit()
            return len(rows)

    def _due_query(self):
        """The one query: a range on ix_tickets_sla_pending, oldest first, rows other replicas hold skipped.

        With each ticket its last alert of this kind: alerts are only ever
        inserted in order (warning, breach, reminder 1, 2, …) while the ticket's
        row is locked, so the highest id is the last one raised. Scalar
        subqueries, not a join: they are one probe of the alerts' unique index
        per due ticket, where PostgreSQL joined on the whole alerts table.
        """
        return (
            select(Ticket.id, Ticket.status, Ticket.reference, Ticket.subject, Ticket.first_response_at,
                   Ticket.first_response_warn_at, Ticket.first_response_due_at, Ticket.slack_channel,
                   Ticket.slack_card_ts, Organisation.name.label("organisation"),
                   Agent.slack_user_id.label("assignee_slack_id"), _last_alert(SlaAlert.level, "last_level"),
                   _last_alert(SlaAlert.occurrence, "last_occurrence"), _last_alert(SlaAlert.created_at, "last_at"))
            .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)
            .outerjoin(Agent, Agent.id == Ticket.assignee_id)
            .where(Ticket.sla_next_check_at <= bindparam("now", type_=UtcDateTime()))
            .order_by(Ticket.sla_next_check_at)
            .limit(self._batch)
            .with_for_update(skip_locked=True, of=Ticket.__table__)
        )

    def _record(self, session: Session, wanted: list[tuple], facts: dict, now: datetime) -> list[sla_notify.NewAlert]:
        """Insert the alert rows; only those this transaction inserted come back (exactly once)."""
        new = []
        for alert_id, ticket_id, level, occurrence in sorted(sla_bulk.insert_alerts(session, wanted, now)):
            row = facts[ticket_id]
            new.append(sla_notify.NewAlert(
                alert_id, ticket_id, level, occurrence, row.reference, row.subject, row.organisation,
                row.first_response_due_at, row.assignee_slack_id, row.slack_channel, row.slack_card_ts))
        return new

    def _queue(self, session: Session, plan: sla_notify.Plan, now: datetime, report: TickReport) -> None:
        sla_bulk.enqueue_many(session, plan.rows, now)
        for digest in plan.digests:
            for minute, not_before in sla_notify.minute_slots(now):
                values = {"kind": digest.kind, "idempotency_key": sla_notify.digest_key(digest.destination, minute),
                          "payload": digest.payload, "ticket_id": None, "state": "pending", "attempts": 0,
                          "next_attempt_at": not_before, "created_at": now}
                if insert_ignoring_conflict(session, OutboxRow, values) is not None:
                    report.digests += 1
                    break
            else:
                log.error("sla digest for %s: no free minute in the next hour; not queued", digest.destination)


def _last_alert(column, label: str):
    """``column`` of the ticket's last alert of this kind (NULL when none), correlated to the ticket row."""
    return (select(column).where(SlaAlert.ticket_id == Ticket.id, SlaAlert.kind == KIND)
            .order_by(SlaAlert.id.desc()).limit(1).correlate(Ticket).scalar_subquery().label(label))
