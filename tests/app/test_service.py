"""The service in-process: IMAP intake wired to the same queue, and a crashed worker restarted."""

from __future__ import annotations

import smtplib
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.app.config import Settings
from bot.app.runtime import Runtime
from bot.app.deliverers import build_deliverers
from bot.app.service import Service
from bot.slack.deliverers import KINDS as SLACK_KINDS
from storage import migrate
from storage.models import OutboxRow
from storage.repositories import outbox
from tests.handlers.conftest import mail
from tests.support.service_loop import LoopThread, poll_until
from tests.support.imap_fixtures import imap_server, imap_server_factory  # noqa: F401
from tests.support.smtp_sink import SmtpSink, free_port


def make_runtime(tmp_path: Path, sink: SmtpSink, **sections) -> Runtime:
    settings = Settings.model_validate({
        "database": {"url": f"sqlite:///{tmp_path / 'service.db'}"},
        "desk": {"attachments_dir": str(tmp_path / "attachments")},
        "smtp": {"host": "127.0.0.1", "port": sink.port, "timeout_s": 5},
        "http": {"enabled": False},
        "ops": {"port": free_port()},  # never the default port: other desks may run on this machine
        **sections,
    })
    runtime = Runtime(settings)
    migrate.upgrade(runtime.engine)
    return runtime


def metric(service: Service, name: str, **labels) -> float:
    for family in text_string_to_metric_families(service.metrics.render().decode()):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise KeyError(name)


def test_mail_from_imap_is_answered_and_the_poller_reports_up_and_in_sync(imap_server, tmp_path):
    sink = SmtpSink().start()
    runtime = make_runtime(tmp_path, sink, imap={
        "enabled": True, "host": imap_server.host, "port": imap_server.port, "security": "plain",
        "username": imap_server.username, "password": imap_server.password})
    service = Service(runtime)
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            loop.call(service.wait_until_up())
            imap_server.append("INBOX", mail(sender="Kim <kim@elsewhere.example>", subject="Licenser"))
            [(_from, recipients, _raw)] = sink.wait_for(1, timeout=15)
            assert recipients == ["kim@elsewhere.example"]
            health = service.health()
            assert health["status"] == "ok" and health["components"]["imap"]["up"] is True
            assert metric(service, "supportbot_mail_stored_total", source="imap") == 1
            assert metric(service, "supportbot_imap_sync_lag_seconds") == 0
            assert loop.call(service.stop(10)) is True
            assert service.health()["status"] == "stopping"
    finally:
        sink.stop()


class CrashOnFirstSweep:
    """An intake processor whose first sweep fails the way a locked database would."""

    def __init__(self, real):
        self.real = real
        self.sweeps = 0

    def process_pending(self, **kwargs):
        self.sweeps += 1
        if self.sweeps == 1:
            raise RuntimeError("database is locked")
        return self.real.process_pending(**kwargs)

    def process_ids(self, ids, **kwargs):
        return self.real.process_ids(ids, **kwargs)


def test_a_crashed_intake_worker_is_restarted_counted_and_shown(tmp_path):
    sink = SmtpSink().start()
    port = free_port()
    runtime = make_runtime(tmp_path, sink, smtp_ingress={"enabled": True, "port": port})
    flaky = CrashOnFirstSweep(runtime.intake)
    runtime.intake = flaky
    service = Service(runtime)
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            loop.call(service.wait_until_up())
            poll_until(lambda: flaky.sweeps >= 2, what="the restarted worker's sweep")
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("kim@elsewhere.example", ["support@example.com"],
                                mail(sender="kim@elsewhere.example", subject="Hej"))
            sink.wait_for(1, timeout=15)
            intake = service.health()["components"]["intake"]
            assert intake == {"up": True, "last_error": "RuntimeError: database is locked", "restarts": 1}
            assert metric(service, "supportbot_component_restarts_total", component="intake") == 1
            assert loop.call(service.stop(10)) is True
    finally:
        sink.stop()


def test_the_outbox_worker_leaves_kinds_it_cannot_deliver_pending(tmp_path):
    sink = SmtpSink().start()
    port = free_port()
    runtime = make_runtime(tmp_path, sink, smtp_ingress={"enabled": True, "port": port})
    with runtime.sessions() as session:
        outbox.enqueue(session, "slack.alert", "alert:test", {"text": "for the Slack desk"}, runtime.clock())
        session.commit()
    service = Service(runtime)
    assert set(build_deliverers(runtime)) == {"email"}  # Slack disabled: no Slack deliverer
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            loop.call(service.wait_until_up())
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("kim@elsewhere.example", ["support@example.com"],
                                mail(sender="kim@elsewhere.example", subject="Hej"))
            sink.wait_for(1, timeout=15)
            assert loop.call(service.stop(10)) is True
    finally:
        sink.stop()
    with runtime.sessions() as session:
        row = session.query(OutboxRow).filter_by(kind="slack.alert").one()
    assert (row.state, row.attempts) == ("pending", 0)
    assert "slack.alert" in SLACK_KINDS
