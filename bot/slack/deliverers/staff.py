"""Delivers the Slack outbox rows: the card (posted once, then updated), its thread, notices, alerts.

Everything is rendered from the database at delivery time, so a card update
always shows the latest state however many changes were queued. Posting a card
takes the ticket's row lock first: two workers delivering two queued updates of
a card that is not posted yet cannot both post it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.slack.blocks.card import POST_DEFAULTS, build_audit_line, build_card, build_inquiry_notice, \
    build_timeline_message
from bot.slack.blocks.full_message import with_full_message_button
from bot.slack.text import escape_mrkdwn
from bot.desk.card_view import InquiryView
from bot.jobs.outbox import GiveUp, RetryLater
from bot.desk.card_view import card_view
from bot.desk.thread_files import queue_message_files
from storage.models import Contact, Inquiry, Organisation, OutboxRow, Ticket

# Slack's own trouble: worth retrying. Anything else (channel_not_found,
# not_in_channel, invalid_blocks) will not fix itself.
RETRYABLE = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
             "invalid_auth", "not_authed", "account_inactive", "token_revoked"}


class ChannelPacer:
    """At most one post per channel per ``interval_s`` (Slack's documented rate for chat.postMessage)."""

    def __init__(self, interval_s: float):
        self._interval = interval_s
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        """Block until ``channel`` may take another message."""
        with self._lock:
            now = time.monotonic()
            ready = self._last.get(channel, 0.0) + self._interval
            self._last[channel] = max(now, ready)
        if ready > now:
            time.sleep(ready - now)


class SlackDeliverer:
    """One object, one method per outbox kind; ``KINDS`` names them (bot/jobs/outbox.py, ``by_kind``)."""

    def __init__(self, settings: Settings, client: WebClient, calendar, clock: Callable[[], datetime],
                 pacer: ChannelPacer | None = None, on_error: Callable[[str], None] = lambda method: None):
        self._settings = settings
        self._client = client
        self._calendar = calendar
        self._clock = clock
        self._pacer = pacer or ChannelPacer(settings.slack.min_post_interval_s)
        self._on_error = on_error

    KINDS = {"slack.card": "card", "slack.timeline": "timeline", "slack.audit": "audit", "slack.alert": "alert",
             "slack.inquiry": "inquiry", "slack.survey": "survey"}

    # -- kinds ------------------------------------------------------------------------------

    def card(self, row: OutboxRow, session: Session) -> dict:
        ticket = session.get(Ticket, row.payload["ticket_id"], with_for_update=True)
        if ticket is None:
            raise GiveUp("ticket no longer exists")
        message = build_card(card_view(session, ticket, self._calendar, self._clock(), self._settings.memory))
        if ticket.slack_card_ts:
            self._call("chat_update", channel=ticket.slack_channel, ts=ticket.slack_card_ts, text=message["text"],
                       blocks=message["blocks"], metadata=message["metadata"])
            return {"ts": ticket.slack_card_ts}
        channel = self._staff_channel()
        response = self._post(channel, message, metadata=message["metadata"])
        ticket.slack_channel, ticket.slack_card_ts = response["channel"], response["ts"]
        return {"ts": response["ts"]}

    def timeline(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        message = build_timeline_message(payload["author"], payload["text"], payload["attachments"], payload["kind"])
        if payload.get("message_row_id"):  # the whole text and headers, on request (bot/slack/blocks/full_message.py)
            message = with_full_message_button(message, payload["message_row_id"])
        posted = self._in_thread(session, payload["ticket_id"], message)
        if payload.get("message_row_id"):  # the customer's files follow their post (bot/desk/thread_files.py)
            queue_message_files(session, payload["ticket_id"], payload["message_row_id"], self._clock())
        return posted

    def audit(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        message = build_audit_line(payload["text"], actor_slack_id=payload.get("actor_slack_id"),
                                   icon=payload.get("icon") or "•")
        return self._in_thread(session, payload["ticket_id"], message)

    def alert(self, row: OutboxRow, session: Session) -> dict:
        channel = self._settings.slack.alerts_channel or self._staff_channel()
        text = escape_mrkdwn(row.payload["text"])
        return {"ts": self._post(channel, {"text": f"⚠️ {text}"})["ts"]}

    def survey(self, row: OutboxRow, session: Session) -> dict:
        """A survey result in the configured survey channel."""
        return {"ts": self._post(row.payload["channel"], {"text": escape_mrkdwn(row.payload["text"])})["ts"]}

    def inquiry(self, row: OutboxRow, session: Session) -> dict:
        inquiry = session.get(Inquiry, row.payload["inquiry_id"], with_for_update=True)
        if inquiry is None:
            raise GiveUp("inquiry no longer exists")
        message = self._inquiry_message(session, inquiry)
        if inquiry.slack_notice_ts:
            self._call("chat_update", channel=self._staff_channel(), ts=inquiry.slack_notice_ts,
                       text=message["text"], blocks=message["blocks"])
            return {"ts": inquiry.slack_notice_ts}
        response = self._post(self._staff_channel(), message)
        inquiry.slack_notice_ts = response["ts"]
        return {"ts": response["ts"]}

    # -- helpers ------------------------------------------------------------------------------

    def _inquiry_message(self, session: Session, inquiry: Inquiry) -> dict:
        if inquiry.status != "waiting":
            ticket = session.get(Ticket, inquiry.ticket_id) if inquiry.ticket_id else None
            outcome = f"opened as {ticket.reference}" if ticket else "dismissed"
            who = escape_mrkdwn(inquiry.sender_email or inquiry.slack_user_id or "unknown sender")
            line = f"📥 Inquiry from {who}: {escape_mrkdwn((inquiry.subject or '')[:150])} — {outcome}"
            return {"text": line, "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}]}
        contact = session.get(Contact, inquiry.contact_id) if inquiry.contact_id else None
        organisation = session.get(Organisation, inquiry.organisation_id) if inquiry.organisation_id else None
        local = inquiry.created_at.astimezone(self._calendar.tz)
        view = InquiryView(
            inquiry_id=inquiry.id, channel=inquiry.channel, sender_name=inquiry.sender_name or (contact.name if contact else None),
            sender_email=inquiry.sender_email, organisation_name=organisation.name if organisation else None,
            subject=inquiry.subject, excerpt=inquiry.text or "", received_text=f"received {local:%Y-%m-%d %H:%M}",
            portal_answer_sent=inquiry.kind == "new_case", contact_authorised=contact is None or contact.authorised,
        )
        return build_inquiry_notice(view)

    def _in_thread(self, session: Session, ticket_id: int, message: dict) -> dict:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise GiveUp("ticket no longer exists")
        if not ticket.slack_card_ts:
            # The thread hangs off the card; its post is queued before this row.
            raise RetryLater("the ticket's card is not posted yet")
        response = self._post(ticket.slack_channel, message, thread_ts=ticket.slack_card_ts)
        return {"ts": response["ts"]}

    def _post(self, channel: str, message: dict, **extra) -> dict:
        self._pacer.wait(channel)
        return self._call("chat_postMessage", channel=channel, text=message["text"], blocks=message.get("blocks"),
                          **POST_DEFAULTS, **extra)

    def _call(self, method: str, **kwargs) -> dict:
        return self._guarded(method, lambda: getattr(self._client, method)(**kwargs).data)

    def _guarded(self, method: str, call: Callable[[], dict]):
        """``call()``'s result; Slack's refusals and connection trouble as RetryLater or GiveUp."""
        try:
            return call()
        except SlackApiError as exc:
            self._on_error(method)
            error = exc.response.get("error", "unknown") if exc.response is not None else "unknown"
            if exc.response is not None and exc.response.status_code == 429:
                # Not slept out here: this runs inside the delivery's database
                # transaction, and on SQLite that is the one write lock.
                after = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)))
                raise RetryLater(f"slack {method}: ratelimited, retry after {after:g} s", after=after) from exc
            if error in RETRYABLE or (exc.response is not None and exc.response.status_code >= 500):
                raise RetryLater(f"slack {method}: {error}") from exc
            raise GiveUp(f"slack {method}: {error}") from exc
        except (SlackClientError, OSError) as exc:  # connection trouble after the client's own retries
            self._on_error(method)
            raise RetryLater(f"slack {method}: {type(exc).__name__}") from exc

    def _staff_channel(self) -> str:
        channel = self._settings.slack.staff_channel
        if not channel:
            raise GiveUp("slack.staff_channel is not set")
        return channel
