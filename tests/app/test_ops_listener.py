"""The operators' listener, in-process over real sockets: apart from the public one, no banner, masked errors."""

from __future__ import annotations

import asyncio
import json
import logging

from bot.app.service import Service
from tests.support.service_loop import LoopThread, poll_until
from tests.app.test_service import make_runtime
from tests.support.raw_http import raw_request
from tests.support.smtp_sink import SmtpSink, free_port

IMAP_PASSWORD = "imap-password-that-must-not-show-4711"


class FailingLogin:
    """A component that fails the way a mail server quoting the login line would."""

    name = "mailbox"
    stop_order = 0

    def __init__(self):
        self.attempts = 0

    async def run(self) -> None:
        self.attempts += 1
        raise ConnectionError(f"server said: LOGIN support {IMAP_PASSWORD} rejected")

    def stop(self) -> None:
        pass


def get(port: int, path: str, method: str = "GET"):
    return asyncio.run(raw_request(port, method, path))


def test_health_and_metrics_are_served_only_on_the_ops_listener_without_a_banner(tmp_path):
    sink = SmtpSink().start()
    http_port, ops_port = free_port(), free_port()
    runtime = make_runtime(tmp_path, sink, http={"enabled": True, "port": http_port},
                           ops={"port": ops_port}, portal={"webhook_secret": "portal-secret"})
    service = Service(runtime)
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            loop.call(service.wait_until_up())
            health, metrics = get(ops_port, "/healthz"), get(ops_port, "/metrics")
            assert health.status == 200 and json.loads(health.body)["components"]["ops"]["up"] is True
            assert metrics.status == 200 and b"supportbot_database_up 1.0" in metrics.body
            public = [get(http_port, "/healthz"), get(http_port, "/metrics"), get(http_port, "/portal/cases", "POST"),
                      get(http_port, "/nowhere")]
            assert [r.status for r in public] == [404, 404, 401, 404]
            on_ops = [get(ops_port, "/portal/cases", "POST"), get(ops_port, "/survey")]
            assert [r.status for r in on_ops] == [404, 404]  # the customer routes are not on the ops listener
            for response in [health, metrics, *public, *on_ops]:
                assert "server" not in response.headers, response.headers
            assert loop.call(service.stop(10)) is True
    finally:
        sink.stop()


def test_a_components_last_error_goes_through_the_secret_mask(tmp_path):
    sink = SmtpSink().start()
    ops_port = free_port()
    runtime = make_runtime(tmp_path, sink, ops={"port": ops_port}, imap={"password": IMAP_PASSWORD})
    failing = FailingLogin()
    service = Service(runtime, extra_components=[failing])
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            poll_until(lambda: service.health()["components"]["ops"]["up"]
                       and service.health()["components"]["mailbox"]["last_error"], what="the failure reported")
            health = get(ops_port, "/healthz")
            report = json.loads(health.body)["components"]["mailbox"]
            assert health.status == 503 and IMAP_PASSWORD.encode() not in health.body
            assert report["last_error"] == "ConnectionError: server said: LOGIN support *** rejected"
            loop.call(service.stop(10))
    finally:
        sink.stop()


def test_the_ops_listener_can_be_switched_off_and_health_says_so(tmp_path):
    sink = SmtpSink().start()
    runtime = make_runtime(tmp_path, sink, ops={"enabled": False})
    service = Service(runtime)
    try:
        with LoopThread() as loop:
            loop.call(service.start())
            loop.call(service.wait_until_up())
            assert {"http", "ops"} <= set(service.health()["disabled"])
            loop.call(service.stop(10))
    finally:
        sink.stop()


def test_a_request_aiohttp_cannot_parse_is_a_400_and_one_warning_not_an_error_traceback(tmp_path, caplog):
    sink = SmtpSink().start()
    http_port = free_port()
    runtime = make_runtime(tmp_path, sink, http={"enabled": True, "port": http_port})
    service = Service(runtime)
    try:
        with LoopThread() as loop, caplog.at_level(logging.INFO):
            loop.call(service.start())
            loop.call(service.wait_until_up())
            # Both framings at once (a request-smuggling probe), then a 10 kB header line.
            smuggled = get_raw(http_port, [("Transfer-Encoding", "chunked")], b"0\r\n\r\n")
            long_line = get_raw(http_port, [("X-Probe", "a" * 10_000)], b"")
            loop.call(service.stop(10))
    finally:
        sink.stop()
    assert (smuggled.status, long_line.status) == (400, 400)
    loud = [r for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith(("aiohttp", "supportbot.http"))]
    assert [(r.levelname, r.getMessage().split(" from ")[0]) for r in loud] == [
        ("WARNING", "malformed HTTP request refused (400 BadHttpMessage)"),
        ("WARNING", "malformed HTTP request refused (400 LineTooLong)")]
    assert all(r.exc_info is None and r.exc_text is None for r in loud)


def get_raw(port: int, headers, body: bytes):
    return asyncio.run(raw_request(port, "POST", "/portal/cases", headers, body))
