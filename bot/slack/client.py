"""Slack Web API clients built from settings, with the retries slack_sdk leaves out by default.

slack_sdk retries only connection errors unless told otherwise. We add:
rate limits (429, waiting the ``Retry-After`` seconds Slack sends, plus the
handler's own up-to-1 s jitter) and server errors (500/503, exponential
backoff). The token goes into the client and nowhere else: we never log it,
and slack_sdk's own debug log redacts the Authorization header.
"""

from __future__ import annotations

import logging
import random

from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, RetryHandler
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.config import SlackSettings

log = logging.getLogger(__name__)

DEFAULT_MAX_RETRIES = 3
DEFAULT_BACKOFF_S = 0.5  # 0.5–1, 1–2, 2–4 s for connection and server errors
DEFAULT_TIMEOUT_S = 30


class ProportionalJitter(Jitter):
    """Up to twice the backoff interval. slack_sdk's default adds up to a whole second whatever the interval."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random())


def _backoff(backoff_s: float) -> BackoffRetryIntervalCalculator:
    return BackoffRetryIntervalCalculator(backoff_factor=backoff_s, jitter=ProportionalJitter())


def async_retry_handlers(max_retries: int = DEFAULT_MAX_RETRIES, backoff_s: float = DEFAULT_BACKOFF_S) -> list[AsyncRetryHandler]:
    """Retry handlers for :class:`AsyncWebClient`: connection errors, 429 (Retry-After), 500/503."""
    interval = _backoff(backoff_s)
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries),
        AsyncServerErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
    ]


def retry_handlers(max_retries: int = DEFAULT_MAX_RETRIES, backoff_s: float = DEFAULT_BACKOFF_S) -> list[RetryHandler]:
    """The same retries for the synchronous :class:`WebClient`."""
    interval = _backoff(backoff_s)
    return [
        ConnectionErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
        RateLimitErrorRetryHandler(max_retry_count=max_retries),
        ServerErrorRetryHandler(max_retry_count=max_retries, interval_calculator=interval),
    ]


def make_web_client(
    slack: SlackSettings,
    *,
    max_retries: int = DEFAULT_MAX_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    timeout_s: int = DEFAULT_TIMEOUT_S,
) -> AsyncWebClient:
    """An :class:`AsyncWebClient` for ``slack.api_base_url`` with the bot token and our retry handlers."""
    log.debug("Slack Web API client for %s (max %d retries)", slack.api_base_url, max_retries)
    return AsyncWebClient(
        token=_token(slack),
        base_url=slack.api_base_url,
        timeout=timeout_s,
        retry_handlers=async_retry_handlers(max_retries, backoff_s),
    )


def make_sync_web_client(
    slack: SlackSettings,
    *,
    max_retries: int = DEFAULT_MAX_RETRIES,
    backoff_s: float = DEFAULT_BACKOFF_S,
    timeout_s: int = DEFAULT_TIMEOUT_S,
    wait_in_client: bool = True,
) -> WebClient:
    """A synchronous :class:`WebClient` like :func:`make_web_client` (CLI commands, the demo)."""
    log.debug("Slack Web API client (sync) for %s (max %d retries)", slack.api_base_url, max_retries)
    return WebClient(
        token=_token(slack),
        base_url=slack.api_base_url,
        timeout=timeout_s,
        # wait_in_client=False: only connection errors are retried here; a 429 or
        # 5xx is raised at once so the outbox reschedules the row instead of a
        # thread sleeping (the outbox deliverers run inside a transaction).
        retry_handlers=retry_handlers(max_retries, backoff_s) if wait_in_client
        else retry_handlers(max_retries, backoff_s)[:1],
    )


def _token(slack: SlackSettings) -> str | None:
    # An empty token means "not configured"; the client then sends none and
    # Slack answers not_authed/invalid_auth instead of a confusing 'Bearer '.
    return slack.bot_token.get_secret_value() or None
