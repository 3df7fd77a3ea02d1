"""Outbox deliverers that post to Slack's Web API; ``DELIVERERS`` declares the kinds they take."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.app.config import Settings
from bot.jobs.outbox import Deliverer, by_kind
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.customer import SlackCustomerDeliverer
from bot.slack.deliverers.report import ReportDeliverer
from bot.slack.deliverers.sla import SlaDeliverer
from bot.slack.deliverers.staff import SlackDeliverer
from bot.slack.deliverers.thread_files import ThreadFileDeliverer
from storage.attachment_store import AttachmentStore

DELIVERERS = (SlackDeliverer, SlaDeliverer, SlackCustomerDeliverer, ReportDeliverer, ThreadFileDeliverer)
KINDS = frozenset(kind for deliverer in DELIVERERS for kind in deliverer.KINDS)


def slack_deliverers(settings: Settings, calendar, clock: Callable[[], datetime],
                     on_error: Callable[[str], None], store: AttachmentStore) -> dict[str, Deliverer]:
    """Every Slack kind on one Web API client (the worker paces and retries; the client does not wait)."""
    client = make_sync_web_client(settings.slack, wait_in_client=False)
    return by_kind(SlackDeliverer(settings, client, calendar, clock, on_error=on_error),
                   SlaDeliverer(settings, client, calendar, clock),
                   SlackCustomerDeliverer(settings, client, calendar, clock, on_error=on_error),
                   ReportDeliverer(settings, client, calendar, clock, on_error=on_error),
                   ThreadFileDeliverer(settings, client, calendar, clock, store, on_error=on_error))
