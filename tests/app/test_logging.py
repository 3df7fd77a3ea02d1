"""Log lines: JSON when asked, and configured secrets never appear in any record."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.app.config import load_settings
from bot.app.logging_setup import JsonFormatter, SecretMask, make_formatter, secret_values

PASSWORD = "s3cret-imap-pass"
TOKEN = "xoxb-1234-real-looking-token"


@pytest.fixture
def captured():
    """A private logger whose one handler masks PASSWORD and TOKEN; yields (logger, stream, handler)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretMask([PASSWORD, TOKEN, "ab"]))
    logger = logging.getLogger("tests.service.secrets")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, stream, handler
    logger.removeHandler(handler)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_are_masked_in_messages_arguments_tracebacks_and_extras(captured, log_format):
    logger, stream, handler = captured
    handler.setFormatter(make_formatter(log_format))
    logger.info("login as bob with %s", PASSWORD)
    logger.warning(f"token {TOKEN} rejected", extra={"detail": f"Bearer {TOKEN}"})
    try:
        raise ConnectionError(f"AUTH PLAIN bob {PASSWORD} refused")
    except ConnectionError:
        logger.exception("imap login failed")
    output = stream.getvalue()
    assert PASSWORD not in output and TOKEN not in output
    assert "login as bob with ***" in output and "token *** rejected" in output
    assert "AUTH PLAIN bob *** refused" in output
    if log_format == "json":  # the text format does not print extras
        assert "Bearer ***" in output


def test_short_secrets_are_not_masked(captured):
    logger, stream, handler = captured
    logger.info("about a crab")
    assert "about a crab" in stream.getvalue()


def test_json_lines_carry_time_level_logger_message_and_extras():
    record = logging.LogRecord("supportbot.pipeline", logging.INFO, __file__, 1,
                               "%s processed: %s", ("<a@b.example>", "portal rule"), None)
    record.raw_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "<a@b.example> processed: portal rule"
    assert line["level"] == "INFO" and line["logger"] == "supportbot.pipeline" and line["raw_id"] == 7
    assert line["time"].endswith("+00:00")


def test_secret_values_are_the_configured_secrets_and_only_the_database_password():
    settings = load_settings(None, environ={
        "SUPPORTBOT_IMAP_PASSWORD": PASSWORD,
        "SUPPORTBOT_SLACK_BOT_TOKEN": TOKEN,
        "SUPPORTBOT_DATABASE_URL": "postgresql+psycopg://bot:db-pass-99@db.example/desk",
    })
    assert sorted(secret_values(settings)) == sorted([PASSWORD, TOKEN, "db-pass-99"])
    assert secret_values(load_settings(None, environ={})) == []
