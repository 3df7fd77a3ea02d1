"""Delivers "email" outbox rows: render the template, compose, send over SMTP.

A row that can never be sent as it is fails at once (``GiveUp``: the row is
failed and staff get one alert), never after 48 h of retries: a recipient that
is not one well-formed mailbox, a payload that cannot be rendered (missing
template or variable, a field of the wrong type), a message that cannot be
composed. Only the relay's 4xx and the network are temporary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.domain.mail.mailboxes import is_mailbox
from bot.mail.attachments import attach_stored
from bot.mail.compose import compose_message
from bot.mail.smtp_sender import PermanentDeliveryError, SmtpSender, TemporaryDeliveryError
from bot.jobs.outbox import GiveUp, RetryLater
from bot.rendering.email import RenderError, TemplateMissingError, TemplateRenderer
from storage.attachment_store import AttachmentStore
from storage.models import OutboxRow, Ticket, TicketMessage
from storage.repositories import events, slack_queue
from storage.repositories.outbox_keys import fit_key

# What a malformed payload raises while it is read, rendered or composed (the stdlib's
# header defects are ValueErrors): it will raise the same way on every attempt.
INVALID_ROW = (KeyError, TypeError, ValueError, AttributeError)


class EmailDeliverer:
    """Turns a queued mail into an SMTP transaction; the ticket records what was sent."""

    KINDS = {"email": "__call__"}

    def __init__(self, settings: Settings, renderer: TemplateRenderer, sender: SmtpSender,
                 clock: Callable[[], datetime], store: AttachmentStore | None = None):
        self._store = store  # where an agent's files for the mail are (bot/mail/attachments.py)
        self._settings = settings
        self._renderer = renderer
        self._sender = sender
        self._clock = clock

    def __call__(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        message, rendered = self._message(row)
        try:
            self._sender.send(message, self._settings.smtp.from_address, payload["to"])
        except TemporaryDeliveryError as exc:
            raise RetryLater(f"{exc.stage} {exc.code or ''} {exc.message}".strip()) from exc
        except PermanentDeliveryError as exc:
            raise GiveUp(f"{exc.stage} {exc.code or ''} {exc.message}".strip()) from exc
        self._record(session, row, message["Subject"], rendered)
        return {"message_id": payload["message_id"]}

    def _message(self, row: OutboxRow):
        """The composed message and its rendering; GiveUp when this row can never become one."""
        payload = row.payload
        try:
            recipients = payload["to"]
            if not recipients or not all(isinstance(to, str) and is_mailbox(to) for to in recipients):
                raise GiveUp("a recipient is not one well-formed mailbox")
            rendered = self._renderer.render(payload["template"], payload["lang"], payload["context"])
            smtp = self._settings.smtp
            message = compose_message(
                rendered, from_address=smtp.from_address, from_name=smtp.from_name, to=recipients,
                message_id=payload["message_id"], date=self._clock(), outbox_key=fit_key(row.idempotency_key),
                thread=payload.get("thread") or (), reference=payload.get("reference"),
                reply_token=payload.get("reply_token"), support_address=self._settings.desk.support_address,
                automatic=payload.get("automatic", True),
                auto_submitted=payload.get("auto_submitted", "auto-replied"),
            )
            if payload.get("attachments"):
                if self._store is None:
                    raise GiveUp("this mail has files but no attachment store is configured")
                attach_stored(message, payload["attachments"], self._store)
            return message, rendered
        except (TemplateMissingError, RenderError) as exc:
            raise GiveUp(f"template {payload.get('template')!r}: {exc}") from exc
        except FileNotFoundError as exc:
            raise GiveUp("a file of this mail is no longer stored") from exc
        except INVALID_ROW as exc:
            raise GiveUp(f"cannot build this mail: {type(exc).__name__}: {str(exc)[:200]}") from exc

    def _record(self, session: Session, row: OutboxRow, subject: str, rendered) -> None:
        session.execute(
            update(TicketMessage)
            .where(TicketMessage.message_id == row.payload["message_id"])
            .values(subject=subject, text=rendered.text, html=rendered.html)
            .execution_options(synchronize_session=False)
        )
        if row.ticket_id is not None:
            ticket = session.get(Ticket, row.ticket_id)
            events.record_event(session, ticket, "mail_sent", self._clock(), template=row.payload["template"],
                                to=row.payload["to"], message_id=row.payload["message_id"])
            audit = row.payload.get("audit")
            if audit and self._settings.slack.enabled:
                slack_queue.queue_audit(session, ticket, self._clock(), audit["text"], icon=audit.get("icon", "•"),
                                        actor_slack_id=audit.get("actor_slack_id"), key=f"sent:{row.id}")
