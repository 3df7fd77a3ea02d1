"""The clock-driven jobs of a running desk, each a supervised thread of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.jobs.auto_close import auto_close
from bot.jobs.periodic import PeriodicJob
from bot.jobs.retention import RetentionJob
from bot.jobs.sla_monitor import SlaMonitor

if TYPE_CHECKING:
    from bot.app.metrics import Metrics
    from bot.app.runtime import Runtime


def periodic_jobs(runtime: Runtime, metrics: Metrics | None = None) -> list[PeriodicJob | RetentionJob]:
    """Clock-driven work: the SLA monitor (every ``sla.monitor_interval_s``), auto-close and retention (hourly),
    the weekly report post (looked for every minute, when ``report.enabled`` and ``slack.enabled``), and the
    embedding of closed cases for similar-case search (every 30 s, when ``memory.embeddings`` and the model
    is installed).
    The agent sync is Slack's own (bot/slack/agent_sync.py, ``agent_sync_job``)."""
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
    if settings.report.enabled and settings.slack.enabled:
        from bot.jobs.weekly_report import CHECK_INTERVAL_S, WeeklyReport  # loads the charts (matplotlib): only when on

        weekly = WeeklyReport(runtime.sessions, settings, calendar, runtime.clock)
        jobs.append(PeriodicJob("weekly_report", CHECK_INTERVAL_S, weekly.tick))
    if settings.memory.embeddings:
        from bot.desk import memory_model

        if memory_model.available():
            from bot.jobs.case_vectors import INTERVAL_S, EmbedCases

            jobs.append(PeriodicJob("case_vectors", INTERVAL_S, EmbedCases(runtime.sessions).tick))
    return jobs
