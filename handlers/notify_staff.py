"""notify-staff: the card, the customer's message in its thread, or the inquiry notice.

Queued in the same transaction as the decision, so staff see exactly what
happened: a new ticket's card, a reply posted under its card (the card shows the
status it went back to), a new-case inquiry with "Open as ticket anyway".
"""

from __future__ import annotations

from handlers.base import PipelineContext
from storage.repositories import directory, slack_queue

NAME = "notify-staff"


def handle(ctx: PipelineContext) -> None:
    """Queue the Slack posts for what this message became (when the Slack desk is on)."""
    if not ctx.settings.slack.enabled or ctx.dry_run:
        return
    if ctx.inquiry is not None:
        slack_queue.queue_inquiry_notice(ctx.session, ctx.inquiry, ctx.now)
        ctx.decide("staff notified: inquiry notice")
    if ctx.ticket is None or ctx.appended is None:
        return
    slack_queue.queue_card(ctx.session, ctx.ticket, ctx.now)
    message = ctx.message
    author = f"{message.sender_name} <{message.sender_email}>" if message.sender_name else message.sender_email
    slack_queue.queue_timeline(
        ctx.session, ctx.ticket, ctx.now, key=message.message_id, author=author,
        text=ctx.appended.stripped_text or message.text, attachments=[a.filename for a in message.attachments],
        kind=message.channel, message_row_id=ctx.appended.id,
    )
    # Context at a glance: a reply from someone the directory no longer authorises is answered with care.
    contact = ctx.contact or (directory.find_contact(ctx.session, message.sender_email) if message.sender_email else None)
    if contact is not None and not contact.authorised:
        slack_queue.queue_audit(ctx.session, ctx.ticket, ctx.now, f"{contact.email} is no longer authorised in "
                                "the customer directory", icon="⚠️", key=f"unauthorised:{ctx.appended.id}")
    ctx.decide(f"staff notified: card and thread post for {ctx.ticket.reference}")
