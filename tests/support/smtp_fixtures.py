"""Fixtures for the mail transport's tests: a real SMTP sink, TLS with the test certificate, settings pointing at it."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from bot.app.config import SmtpSettings
from tests.support.smtp_sink import SmtpSink

HERE = Path(__file__).parent


@pytest.fixture
def smtp_sink():
    """A started ``SmtpSink`` on 127.0.0.1; stopped after the test."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def server_tls_context() -> ssl.SSLContext:
    """Server side of TLS with the self-signed test certificate (CN=localhost, IP 127.0.0.1)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(HERE / "tls_cert.pem", HERE / "tls_key.pem")
    return context


@pytest.fixture
def sink_settings():
    """``make(port, **overrides)`` → SmtpSettings aimed at 127.0.0.1:port, plain text, short timeout."""

    def make(port: int, **overrides) -> SmtpSettings:
        values = {"host": "127.0.0.1", "port": port, "security": "plain", "timeout_s": 5.0}
        return SmtpSettings(**(values | overrides))

    return make
