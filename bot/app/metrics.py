"""Prometheus metrics: counters the service increments, gauges read from the database on scrape.

Each :class:`Metrics` has its own registry (no process-global state, so tests and
the demo can build several). State that lives in the database (tickets by status,
the outbox) is computed when /metrics is scraped, with one query each, instead of
being mirrored in memory where a second replica would disagree.

``supportbot_imap_sync_lag_seconds`` is how long the poller may have been behind
the mailbox: 0 while it is connected and has completed a fetch on that
connection (from then on IDLE, or polling every ``imap.poll_interval_s``, keeps
it current); otherwise the seconds since its last completed fetch (or since the
service started, when it never completed one). Alert on, say, > 300.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Ticket
from bot.domain.tickets import STATUSES
from storage.repositories import outbox

log = logging.getLogger("supportbot.metrics")

OUTCOMES = ("processed", "discarded", "quarantined")

# Without this every counter also exports a `_created` timestamp series, which
# doubles the output and which nothing here alerts on (process-wide setting).
disable_created_metrics()


class Metrics:
    """The service's metrics; ``bind`` the providers the scrape-time gauges read."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.messages_received = Counter(
            "supportbot_messages_received", "Inbound messages run through the pipeline, by channel and outcome.",
            ["channel", "outcome"], registry=r)
        self.mail_stored = Counter(
            "supportbot_mail_stored", "Raw mails committed by an intake edge (imap, smtp).", ["source"], registry=r)
        self.sla_warnings = Counter(
            "supportbot_sla_warnings", "SLA warnings raised (first response due soon).", registry=r)
        self.sla_breaches = Counter(
            "supportbot_sla_breaches", "SLA breaches raised (first response overdue).", registry=r)
        self.slack_api_errors = Counter(
            "supportbot_slack_api_errors", "Slack Web API calls that failed, by method and error.",
            ["method", "error"], registry=r)
        self.component_restarts = Counter(
            "supportbot_component_restarts", "Restarts of a crashed service component.", ["component"], registry=r)
        for outcome in OUTCOMES:
            self.messages_received.labels("email", outcome)
        for source in ("imap", "smtp"):
            self.mail_stored.labels(source)
        self._scrape = _ScrapeCollector()
        r.register(self._scrape)

    def bind(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        health: Callable[[], dict[str, dict]] = dict,
        imap_lag: Callable[[], float] | None = None,
        calendar=None,
    ) -> None:
        """Tell the scrape-time gauges where to read from (``calendar``: the first-response histogram)."""
        from bot.desk.reports.response_histogram import ResponseHistogram

        self._scrape.sessions, self._scrape.clock = sessions, clock
        self._scrape.health, self._scrape.imap_lag = health, imap_lag
        self._scrape.responses = ResponseHistogram(calendar) if calendar is not None else None
        for name in health():
            self.component_restarts.labels(name)

    def count_outcomes(self, channel: str, counts: dict[str, int]) -> None:
        """Add an intake run's outcome counts (``skipped``: another worker had it, not counted)."""
        for outcome, number in counts.items():
            if outcome in OUTCOMES and number:
                self.messages_received.labels(channel, outcome).inc(number)

    def render(self) -> bytes:
        """The text exposition format; runs the database queries, so call it off the event loop."""
        return generate_latest(self.registry)


class _ScrapeCollector:
    """Gauges computed on scrape: tickets by status, outbox depth and age, components, IMAP lag."""

    def __init__(self) -> None:
        self.sessions: sessionmaker[Session] | None = None
        self.clock: Callable[[], datetime] | None = None
        self.health: Callable[[], dict[str, dict]] = dict
        self.imap_lag: Callable[[], float] | None = None
        self.responses = None  # a ResponseHistogram

    def collect(self):
        yield from self._components()
        if self.imap_lag is not None:
            yield GaugeMetricFamily(
                "supportbot_imap_sync_lag_seconds",
                "Seconds the IMAP poller may be behind the mailbox (0 while connected and caught up).",
                value=self.imap_lag())
        if self.sessions is not None:
            yield from self._database()

    def _components(self):
        up = GaugeMetricFamily("supportbot_component_up", "1 when a service component is running and working.",
                               labels=["component"])
        for name, status in self.health().items():
            up.add_metric([name], 1.0 if status["up"] else 0.0)
        yield up

    def _database(self):
        database_up = GaugeMetricFamily("supportbot_database_up", "1 when the scrape's queries succeeded.")
        try:
            with self.sessions() as session:
                query = select(Ticket.status, func.count(Ticket.id)).group_by(Ticket.status)
                by_status = dict(session.execute(query).all())
                depth, oldest = outbox.depth(session)
                responses = self.responses.read(session, self.clock()) if self.responses is not None else None
        except SQLAlchemyError as exc:
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
            database_up.add_metric([], 0.0)
            yield database_up
            return
        database_up.add_metric([], 1.0)
        yield database_up
        tickets = GaugeMetricFamily("supportbot_tickets", "Tickets by status.", labels=["status"])
        for status in STATUSES:
            tickets.add_metric([status], float(by_status.get(status, 0)))
        yield tickets
        yield GaugeMetricFamily("supportbot_outbox_depth", "Outbox rows not yet delivered (pending or sending).",
                                value=float(depth))
        age = max(0.0, (self.clock() - oldest).total_seconds()) if oldest is not None else 0.0
        yield GaugeMetricFamily("supportbot_outbox_oldest_age_seconds",
                                "Age of the oldest undelivered outbox row (0 when none).", value=age)
        if responses is not None:
            buckets, total = responses
            yield HistogramMetricFamily(
                "supportbot_first_response_business_minutes",
                "Business minutes from registration to the first response, every ticket answered (from the database).",
                buckets=buckets, sum_value=total)
