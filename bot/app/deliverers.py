"""The outbox's deliverers of this process: mail always, Slack's kinds when ``slack.enabled``."""

from __future__ import annotations

from bot.app.metrics import Metrics
from bot.app.runtime import Runtime
from bot.jobs.outbox import Deliverer, by_kind


def build_deliverers(runtime: Runtime, metrics: Metrics | None = None) -> dict[str, Deliverer]:
    """One deliverer per outbox kind, the kinds as the deliverers declare them (``by_kind``). The worker
    claims only these kinds; other rows wait, durable (Slack's while ``slack.enabled`` is false)."""
    from bot.mail.deliverer import EmailDeliverer
    from bot.mail.smtp_sender import SmtpSender
    from bot.rendering.email import TemplateRenderer

    settings = runtime.settings
    deliverers = by_kind(EmailDeliverer(settings, TemplateRenderer.from_settings(settings),
                                        SmtpSender(settings.smtp), runtime.clock, runtime.services["attachments"]))
    if settings.slack.enabled:
        from bot.slack.deliverers import slack_deliverers

        on_error = (lambda method: metrics.slack_api_errors.labels(method, "api").inc()) if metrics else (lambda m: None)
        deliverers.update(slack_deliverers(settings, runtime.services["calendar"], runtime.clock, on_error,
                                          runtime.services["attachments"]))
    return deliverers
