"""Delivers "slack.customer_reply" rows: an answer posted in the customer's own channel, in their thread.

The text was rendered (and escaped) when the decision was made
(``bot/desk/slack_answers.py``); here it is only posted, with no unfurls and no
``link_names``. Once Slack has taken it, the ticket records it and the audit
line ("📤 sent to customer by @agent") goes to the card's thread, as for mail.
The bot must be a member of the customer channel: ``not_in_channel`` and
``channel_not_found`` are permanent, so the row fails and staff are alerted.
"""

from __future__ import annotations


from sqlalchemy.orm import Session

from bot.slack.deliverers.staff import SlackDeliverer
from storage.models import OutboxRow, Ticket
from storage.repositories import events, slack_queue

KIND = "slack.customer_reply"


class SlackCustomerDeliverer(SlackDeliverer):
    """The Slack deliverer's client, pacing and error mapping, for the one kind customers see."""

    KINDS = {KIND: "customer_reply"}

    def customer_reply(self, row: OutboxRow, session: Session) -> dict:
        payload = row.payload
        response = self._post(payload["channel"], {"text": payload["text"]}, thread_ts=payload["thread_ts"])
        ticket = session.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
        if ticket is not None:
            now = self._clock()
            events.record_event(session, ticket, "slack_reply_sent", now, channel=payload["channel"],
                                thread_ts=payload["thread_ts"], ts=response["ts"])
            audit = payload.get("audit")
            if audit:
                slack_queue.queue_audit(session, ticket, now, audit["text"], icon=audit.get("icon", "•"),
                                        actor_slack_id=audit.get("actor_slack_id"), key=f"sent:{row.id}")
        return {"channel": response["channel"], "ts": response["ts"]}
