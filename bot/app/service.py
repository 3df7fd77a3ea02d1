"""`supportbot run`: every component of the desk in one process, supervised.

One asyncio loop carries the SMTP ingress and the HTTP server; blocking work runs
in threads of its own: the IMAP poller, one intake worker and one outbox worker.
The edges only store mail and hand the new ids to the intake worker's queue, so
the pipeline runs serially per process, in arrival order. The intake worker also
sweeps for mail left ``received`` — stored before a crash, or handed over and
then lost with a crashed batch — at start, on taking the mailbox lease over, and
every 15 s for mail left that way 10 s or more; it wakes the outbox worker after
each run, so an answer leaves within milliseconds, not at the next 0.5 s poll.

Shutdown (SIGTERM/SIGINT) goes in stages within ``desk.shutdown_grace_s``: the
edges stop accepting (SMTP ingress closes its socket, the poller leaves IDLE),
the intake worker processes what the edges already handed over, the outbox
worker finishes the row in hand, and the HTTP listeners go last so /healthz
(on the operators' listener, bot/app/health.py) reports the shutdown. Anything
unfinished at the deadline is safe: stored mail is swept at the next start and a
claimed outbox row is retried when its lease ends.

Several replicas may share one PostgreSQL: the poller runs only while its process
holds the mailbox's lease (bot/mail/mailbox_lease.py); outbox claims, intake
and the periodic jobs are safe to run everywhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from bot.app.deliverers import build_deliverers
from bot.app.health import Health
from bot.app.http_server import HttpServer, ops_routes
from bot.app.logging_setup import SecretMask, secret_values
from bot.app.metrics import Metrics
from bot.app.runtime import Runtime
from bot.app.signals import stop_on_signals
from bot.app.supervisor import Supervisor
from bot.intake.mail_worker import IntakeWorker, count_and_wake
from bot.jobs.components import Component
from bot.jobs.outbox import Deliverer
from bot.jobs.outbox_loop import outbox_loop
from bot.jobs.schedule import periodic_jobs
from bot.mail.imap_component import PollerComponent, imap_component
from bot.mail.smtp_component import smtp_component
from bot.mail.in_flight import InFlightBudget

log = logging.getLogger("supportbot.service")


class Service:
    """Builds the components from settings and runs them under a :class:`Supervisor`.

    ``extra_components`` is where more supervised parts join; ``http.add_routes`` adds endpoints.
    """

    def __init__(self, runtime: Runtime, *, metrics: Metrics | None = None,
                 deliverers: dict[str, Deliverer] | None = None, extra_components: Iterable[Component] = ()):
        settings, sessions, clock = runtime.settings, runtime.sessions, runtime.clock
        self.runtime = runtime
        self.metrics = metrics or Metrics()
        if deliverers is None:
            deliverers = build_deliverers(runtime, self.metrics)
        self.outbox = outbox_loop(settings, sessions, deliverers, clock)
        self.intake = IntakeWorker(runtime.intake, count_and_wake(self.metrics.count_outcomes, self.outbox.wake))
        components: list[Component] = [self.intake, self.outbox]
        budget = InFlightBudget(settings.desk.mail_in_flight_bytes)  # one for both edges: bytes of mail in flight
        if settings.smtp_ingress.enabled:
            stored = self.intake.stored_from("smtp", self.metrics.mail_stored)
            components.append(smtp_component(settings.smtp_ingress, sessions, clock, stored, budget))
        self.poller_component: PollerComponent | None = None
        if settings.imap.enabled:
            stored = self.intake.stored_from("imap", self.metrics.mail_stored)
            self.poller_component = imap_component(settings.imap, sessions, clock, stored,
                                                   on_taken=self.intake.sweep_soon, budget=budget)
            components.append(self.poller_component)
        components += [*periodic_jobs(runtime, self.metrics), *extra_components]
        slack = None
        if settings.slack.enabled:  # the agents' desk: Bolt in Socket Mode, or HTTP mode on our server
            from bot.desk.staff_actions import Desk
            from bot.slack.agent_sync import agent_sync_job
            from bot.slack.runner import make_slack_component

            desk = Desk(sessions, settings, runtime.services["calendar"], clock)
            slack = make_slack_component(settings, desk, sessions, clock)
            if settings.slack.line_usergroups:
                components.append(agent_sync_job(sessions, settings.slack, clock))
            components.append(slack)
        self.http = HttpServer("http", settings.http.host, settings.http.port) if settings.http.enabled else None
        if self.http is not None:
            from bot.web.routes import lifecycle_routes

            self.http.add_routes(lifecycle_routes(runtime))
            if slack is not None:
                self.http.add_routes(slack.routes())  # /slack/events in HTTP mode; none in Socket Mode
            components.append(self.http)
        if settings.ops.enabled:
            components.append(HttpServer("ops", settings.ops.host, settings.ops.port,
                                         ops_routes(self.health, self.metrics)))
        self._supervisor = Supervisor(
            components, on_restart=lambda name: self.metrics.component_restarts.labels(name).inc())
        self._health = Health(self._supervisor, SecretMask(secret_values(settings)))
        self.metrics.bind(sessions, clock, self._health.components,
                          self.poller_component.sync_lag_s if self.poller_component else None,
                          calendar=runtime.services["calendar"])

    def health(self) -> dict:
        """The /healthz document (bot/app/health.py)."""
        return self._health.document()

    async def wait_until_up(self, timeout: float = 15.0) -> None:
        await self._health.wait_until_up(timeout)

    async def start(self) -> None:
        """Start every component on the running loop."""
        log.info("starting: %s", ", ".join(self._supervisor.names))
        self._supervisor.start()

    async def stop(self, grace: float | None = None) -> bool:
        """Stop in stages within ``grace`` (default ``desk.shutdown_grace_s``); True when all finished."""
        grace = self.runtime.settings.desk.shutdown_grace_s if grace is None else grace
        log.info("stopping (grace %g s): intake edges, then in-flight work, then the outbox", grace)
        unfinished = await self._supervisor.stop(grace)
        if unfinished:
            log.warning("shutdown grace of %g s passed with %s still busy; their work resumes at the next start",
                        grace, ", ".join(unfinished))
            return False
        self.runtime.close()
        log.info("stopped")
        return True

    async def run_until_signalled(self) -> bool:
        """Run until SIGTERM or SIGINT, then stop; a second signal ends the process at once."""
        stop = asyncio.Event()
        restore = stop_on_signals(stop)
        await self.start()
        await stop.wait()
        restore()
        return await self.stop()

