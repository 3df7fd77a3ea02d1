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
(on the operators' listener, bot/app/http_server.py) reports the shutdown. Anything
unfinished at the deadline is safe: stored mail is swept at the next start and a
claimed outbox row is retried when its lease ends.

Several replicas may share one PostgreSQL: the poller runs only while its process
holds the mailbox's lease (bot/mail/mailbox_lease.py); outbox claims, intake
and the periodic jobs are safe to run everywhere.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from bot.app.http_server import HttpServer, ops_routes
from bot.mail.imap_poller import ImapPoller
from bot.mail.mailbox_lease import LeasedPoller, MailboxLease
from bot.jobs.outbox_worker import Deliverer, OutboxWorker, RetryPolicy
from bot.app.logging_setup import SecretMask, secret_values
from bot.app.metrics import Metrics
from bot.app.runtime import Runtime
from bot.app.supervisor import Component, Supervisor, ThreadComponent

log = logging.getLogger("supportbot.service")

# Outbox kinds the Slack desk delivers; see ``slack_deliverers``.
SLACK_KINDS = ("slack.card", "slack.timeline", "slack.audit", "slack.alert", "slack.inquiry", "slack.survey",
               "slack.dm", "slack.sla_alert", "slack.customer_reply", "slack.report")


def build_deliverers(runtime: Runtime, metrics: Metrics | None = None) -> dict[str, Deliverer]:
    """One deliverer per outbox kind. The worker claims only these kinds; other rows wait, durable."""
    from bot.mail.deliverer import EmailDeliverer
    from bot.mail.smtp_sender import SmtpSender
    from bot.rendering.email import TemplateRenderer

    settings = runtime.settings
    renderer = TemplateRenderer.from_settings(settings)
    deliverers: dict[str, Deliverer] = {
        "email": EmailDeliverer(settings, renderer, SmtpSender(settings.smtp), runtime.clock),
    }
    deliverers.update(slack_deliverers(runtime, metrics))
    return deliverers


def slack_deliverers(runtime: Runtime, metrics: Metrics | None = None) -> dict[str, Deliverer]:
    """A deliverer for each of ``SLACK_KINDS`` when ``slack.enabled``; else none (the rows wait, durable)."""
    if not runtime.settings.slack.enabled:
        return {}
    from bot.slack.deliverers.sla import SlaDeliverer
    from bot.slack.client import make_sync_web_client
    from bot.slack.deliverers.customer import SlackCustomerDeliverer
    from bot.slack.deliverers.report import ReportDeliverer
    from bot.slack.deliverers.staff import SlackDeliverer

    on_error = (lambda method: metrics.slack_api_errors.labels(method, "api").inc()) if metrics else (lambda m: None)
    settings, calendar = runtime.settings, runtime.services["calendar"]
    client = make_sync_web_client(settings.slack, wait_in_client=False)
    deliverers = SlackDeliverer(settings, client, calendar, runtime.clock, on_error=on_error).deliverers()
    deliverers.update(SlaDeliverer(settings, client, calendar, runtime.clock).deliverers())
    deliverers.update(SlackCustomerDeliverer(settings, client, calendar, runtime.clock, on_error=on_error).deliverers())
    deliverers.update(ReportDeliverer(settings, client, calendar, runtime.clock, on_error=on_error).deliverers())
    return deliverers


def slack_component(runtime: Runtime) -> Component:
    """The agents' desk in Slack: the Bolt app (Socket Mode, or HTTP mode on our server)."""
    from bot.slack.runner import make_slack_component
    from bot.desk.staff_actions import Desk

    desk = Desk(runtime.sessions, runtime.settings, runtime.services["calendar"], runtime.clock)
    return make_slack_component(runtime.settings, desk, runtime.sessions, runtime.clock)


def periodic_jobs(runtime: Runtime, metrics: Metrics | None = None) -> list[Component]:
    """Clock-driven work: the SLA monitor (every ``sla.monitor_interval_s``), auto-close and retention (hourly),
    the agent sync (every ``slack.agent_sync_interval_s``) when line user groups are set, and the weekly
    report post (looked for every minute, when ``report.enabled`` and ``slack.enabled``)."""
    from bot.jobs.auto_close import auto_close
    from bot.jobs.periodic import PeriodicJob
    from bot.jobs.retention import RetentionJob
    from bot.jobs.sla_monitor import SlaMonitor

    settings, calendar = runtime.settings, runtime.services["calendar"]
    monitor = SlaMonitor(runtime.sessions, settings, calendar, runtime.clock)

    def sla_tick() -> object:
        report = monitor.tick()
        if metrics is not None:  # the alerts this replica recorded; a sum over replicas counts each once
            metrics.sla_warnings.inc(report.alerts["warning"])
            metrics.sla_breaches.inc(report.alerts["breach"])
        return report

    def close_waiting() -> object:
        return auto_close(runtime.sessions, settings, calendar, runtime.clock())

    jobs = [PeriodicJob("sla_monitor", settings.sla.monitor_interval_s, sla_tick),
            PeriodicJob("auto_close", 3600.0, close_waiting),
            RetentionJob(runtime.sessions, runtime.services["attachments"], settings.desk.retention_days,
                         runtime.clock)]
    if settings.slack.enabled and settings.slack.line_usergroups:
        jobs.append(PeriodicJob("agent_sync", settings.slack.agent_sync_interval_s, agent_sync(runtime)))
    if settings.report.enabled and settings.slack.enabled:
        from bot.jobs.weekly_report import CHECK_INTERVAL_S, WeeklyReport

        weekly = WeeklyReport(runtime.sessions, settings, calendar, runtime.clock)
        jobs.append(PeriodicJob("weekly_report", CHECK_INTERVAL_S, weekly.tick))
    return jobs


def agent_sync(runtime: Runtime):
    """The roster kept in step with the line user groups (`slack.line_usergroups`)."""
    from bot.slack.agent_sync import AgentSync
    from bot.slack.client import make_sync_web_client

    slack = runtime.settings.slack
    return AgentSync(runtime.sessions, make_sync_web_client(slack), slack.line_usergroups, runtime.clock)


class IntakeWorker(ThreadComponent):
    """The one thread that runs the pipeline: ids from the edges in arrival order, plus the sweeps.

    Mail left ``received`` (stored by a process that died before processing it,
    or handed over and lost with a crashed batch) is swept up: all of it at start
    and whenever this replica takes the mailbox lease over (``sweep_soon``: the
    last holder's stored mail waited for the minute's sweep before), and every
    ``sweep_interval_s`` what has waited ``orphaned_after_s`` (mail another
    replica took in by SMTP and died with), never what a live worker just got.
    """

    name = "intake"
    stop_order = 1

    def __init__(self, processor, on_done: Callable[[Counter], None], *, sweep_interval_s: float = 15.0,
                 orphaned_after_s: float = 10.0):
        self._processor = processor
        self._on_done = on_done
        self._sweep_s = sweep_interval_s
        self._orphaned_after = timedelta(seconds=orphaned_after_s)
        self._queue: queue.Queue[list[int] | str | None] = queue.Queue()

    def submit(self, ids: Iterable[int]) -> None:
        """Hand over stored mail (thread-safe; the edges call this after their commit)."""
        self._queue.put(list(ids))

    def sweep_soon(self) -> None:
        """Sweep all stored, unprocessed mail next (thread-safe): this replica took the mailbox over."""
        self._queue.put(_SWEEP)

    def stop(self) -> None:
        self._queue.put(None)  # after everything the edges handed over before they stopped

    def run_blocking(self) -> None:
        self._sweep()  # at start, and after a crash: the crashed batch is still `received`
        next_sweep = time.monotonic() + self._sweep_s
        while True:
            try:
                ids = self._queue.get(timeout=max(0.0, next_sweep - time.monotonic()))
            except queue.Empty:
                self._sweep(self._orphaned_after)
                next_sweep = time.monotonic() + self._sweep_s
                continue
            if ids is None:
                self._drain()
                return
            if ids == _SWEEP:
                self._sweep()
                continue
            self._on_done(self._processor.process_ids(ids))

    def _sweep(self, older_than: timedelta | None = None) -> None:
        counts = self._processor.process_pending(older_than=older_than)
        if counts:
            log.info("intake sweep: %s", ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
        self._on_done(counts)

    def _drain(self) -> None:
        while True:
            try:
                ids = self._queue.get_nowait()
            except queue.Empty:
                return
            if ids and ids != _SWEEP:
                self._on_done(self._processor.process_ids(ids))


_SWEEP = "sweep"  # on the intake queue: sweep everything stored now


class OutboxLoop(ThreadComponent):
    """Delivers due outbox rows: at once when woken, else every ``idle_s``."""

    name = "outbox"
    stop_order = 2

    def __init__(self, worker: OutboxWorker, *, idle_s: float = 0.5):
        self._worker = worker
        self._idle_s = idle_s
        self._stopping = threading.Event()
        self.wake = threading.Event()

    def run_blocking(self) -> None:
        while not self._stopping.is_set():
            # One row per claim: at shutdown only the row in hand is finished,
            # and none sits claimed (unsent) until its lease runs out.
            if self._worker.run_once(limit=1):
                continue
            self.wake.wait(self._idle_s)
            self.wake.clear()

    def stop(self) -> None:
        self._stopping.set()
        self.wake.set()


class _StampedEvent(threading.Event):
    """A threading.Event that remembers when it was last set (for the IMAP lag metric)."""

    set_at = 0.0

    def set(self) -> None:
        self.set_at = time.monotonic()
        super().set()


class TrackedPoller(ImapPoller):
    """The IMAP poller, plus what ``supportbot_imap_sync_lag_seconds`` needs (see bot/app/metrics.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected = _StampedEvent()
        self.started_at = time.monotonic()
        self.last_fetch_at: float | None = None

    def fetch_new(self, client, uidvalidity: int) -> int:
        stored = super().fetch_new(client, uidvalidity)
        self.last_fetch_at = time.monotonic()
        return stored

    def sync_lag_s(self) -> float:
        fetched = self.last_fetch_at
        if self.connected.is_set() and fetched is not None and fetched >= self.connected.set_at:
            return 0.0
        return time.monotonic() - (fetched if fetched is not None else self.started_at)


class PollerComponent(ThreadComponent):
    """The IMAP poller, polling only while this replica holds the mailbox's lease."""

    name = "imap"
    stop_order = 0

    def __init__(self, poller: TrackedPoller, lease: MailboxLease, on_taken: Callable[[], None] | None = None):
        self.poller = poller
        self.leased = LeasedPoller(poller, lease, on_taken)

    def run_blocking(self) -> None:
        self.leased.run()

    def stop(self) -> None:
        self.leased.stop()

    def is_up(self) -> bool:
        # A standby is healthy while it can reach the lease: another replica polls.
        if self.leased.role == "standby":
            return self.leased.last_error is None
        return self.poller.connected.is_set()

    @property
    def last_error(self) -> str | None:
        return self.leased.last_error or self.poller.last_error

    def sync_lag_s(self) -> float:
        """The poller's lag; 0 on a standby (the lease holder's figure is the one to watch)."""
        return 0.0 if self.leased.role == "standby" else self.poller.sync_lag_s()


class SmtpIngressComponent:
    name = "smtp_ingress"
    stop_order = 0

    def __init__(self, ingress):
        self._ingress = ingress
        self._stopping = asyncio.Event()
        self._up = False

    async def run(self) -> None:
        await self._ingress.start()
        self._up = True
        try:
            await self._stopping.wait()
        finally:
            self._up = False
            await self._ingress.stop()

    def stop(self) -> None:
        self._stopping.set()

    def is_up(self) -> bool:
        return self._up


class Service:
    """Builds the components from settings and runs them under a :class:`Supervisor`.

    ``extra_components`` is where more supervised parts join (the Slack app, as
    an intake edge: ``stop_order = 0``); ``http.add_routes`` adds endpoints.
    """

    def __init__(self, runtime: Runtime, *, metrics: Metrics | None = None,
                 deliverers: dict[str, Deliverer] | None = None, extra_components: Iterable[Component] = ()):
        settings = runtime.settings
        self.runtime = runtime
        self.metrics = metrics or Metrics()
        worker = OutboxWorker(
            runtime.sessions, deliverers if deliverers is not None else build_deliverers(runtime, self.metrics),
            runtime.clock,
            worker_id=f"{socket.gethostname()}:{os.getpid()}",
            policy=RetryPolicy(settings.smtp.retry_base_s, settings.smtp.retry_max_s, settings.smtp.retry_horizon_s),
            lease=timedelta(seconds=settings.outbox.claim_lease_s),
        )
        self.outbox = OutboxLoop(worker)
        self.intake = IntakeWorker(runtime.intake, self._after_intake)
        self.http = HttpServer("http", settings.http.host, settings.http.port) if settings.http.enabled else None
        self.ops = (HttpServer("ops", settings.ops.host, settings.ops.port, ops_routes(self.health, self.metrics))
                    if settings.ops.enabled else None)
        self._mask = SecretMask(secret_values(settings))
        self.poller: TrackedPoller | None = None
        self.poller_component: PollerComponent | None = None
        self._components: list[Component] = [self.intake, self.outbox, *self._edges(), *periodic_jobs(runtime, self.metrics),
                                             *extra_components]
        slack = slack_component(runtime) if settings.slack.enabled else None
        if slack is not None:
            self._components.append(slack)
        if self.http is not None:
            from bot.web.routes import lifecycle_routes

            self.http.add_routes(lifecycle_routes(runtime))
            if slack is not None:
                self.http.add_routes(slack.routes())  # /slack/events in HTTP mode; none in Socket Mode
            self._components.append(self.http)
        if self.ops is not None:
            self._components.append(self.ops)
        self._supervisor = Supervisor(self._components, on_restart=self._count_restart)
        self.metrics.bind(runtime.sessions, runtime.clock, self.component_health,
                          self.poller_component.sync_lag_s if self.poller_component else None,
                          calendar=runtime.services["calendar"])

    def _edges(self) -> list[Component]:
        from bot.mail.smtp_ingress import IngressHandler, SmtpIngress

        from bot.mail.in_flight import InFlightBudget

        settings, runtime = self.runtime.settings, self.runtime
        edges: list[Component] = []
        budget = InFlightBudget(settings.desk.mail_in_flight_bytes)  # one for both edges (issue 21)
        if settings.smtp_ingress.enabled:
            handler = IngressHandler(settings.smtp_ingress, runtime.sessions, runtime.clock, self._stored("smtp"),
                                     budget=budget)
            edges.append(SmtpIngressComponent(SmtpIngress(settings.smtp_ingress, handler)))
        if settings.imap.enabled:
            self.poller = TrackedPoller(settings.imap, runtime.sessions, runtime.clock, on_stored=self._stored("imap"),
                                        budget=budget)
            lease = MailboxLease(runtime.sessions, self.poller.mailbox, settings.imap.lease_s)
            self.poller_component = PollerComponent(self.poller, lease, on_taken=self.intake.sweep_soon)
            edges.append(self.poller_component)
        return edges

    def _stored(self, source: str) -> Callable[[list[int]], None]:
        def on_stored(ids: list[int]) -> None:
            self.metrics.mail_stored.labels(source).inc(len(ids))
            self.intake.submit(ids)
        return on_stored

    def _after_intake(self, counts: Counter) -> None:
        self.metrics.count_outcomes("email", counts)
        if sum(counts.values()):
            self.outbox.wake.set()  # answers and alerts were just queued

    def _count_restart(self, name: str) -> None:
        self.metrics.component_restarts.labels(name).inc()

    # -- health ----------------------------------------------------------------

    def component_health(self) -> dict[str, dict]:
        """The supervisor's report, each ``last_error`` through the logs' secret mask (an exception's
        text can quote a password or a token, and /healthz is read by more people than the logs)."""
        report = self._supervisor.health()
        for status in report.values():
            if status["last_error"]:
                status["last_error"] = self._mask.mask(status["last_error"])
        return report

    def health(self) -> dict:
        """The /healthz document: ``status`` is ``ok`` when every enabled component is up."""
        components = self.component_health()
        if self._supervisor.stopping:
            status = "stopping"
        else:
            status = "ok" if all(c["up"] for c in components.values()) else "degraded"
        enabled = set(components)
        disabled = [name for name in ("smtp_ingress", "imap", "http", "ops") if name not in enabled]
        return {"status": status, "components": components, "disabled": disabled}

    async def wait_until_up(self, timeout: float = 15.0) -> None:
        """Return once every component is up; TimeoutError naming the ones that are not."""
        deadline = time.monotonic() + timeout
        while (health := self.health())["status"] != "ok":
            if time.monotonic() > deadline:
                down = {name: c["last_error"] for name, c in health["components"].items() if not c["up"]}
                raise TimeoutError(f"components not up after {timeout:g} s: {down}")
            await asyncio.sleep(0.02)

    # -- lifecycle -------------------------------------------------------------

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


def stop_on_signals(event: asyncio.Event) -> Callable[[], None]:
    """Set ``event`` on SIGTERM/SIGINT; return a function that restores the default handlers."""
    loop = asyncio.get_running_loop()

    def received(name: str) -> None:
        log.info("%s received, shutting down", name)
        event.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, received, sig.name)
    return lambda: [loop.remove_signal_handler(sig) for sig in (signal.SIGTERM, signal.SIGINT)]
