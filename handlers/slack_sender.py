"""slack-sender: who wrote in a customer channel — a contact of the channel's organisation, or an unknown sender.

The listener gives the Slack user and, for a user no contact is linked to yet,
the e-mail address in their Slack profile. A contact is found by its linked
Slack user, else by that address (and then linked, so the next message needs
no ``users.info``). Only contacts of the organisation the channel belongs to
count: anyone else in a shared channel (a contact of another customer, a
guest) is answered like an unknown sender, and their address is
``slack:<user>`` — what the autoreply log counts and what a ticket opened for
them anyway lists as its participant.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.desk.customer_channels import channel_organisation
from handlers.base import Discard, PipelineContext
from storage.models import Contact
from storage.repositories import directory

NAME = "slack-sender"


def handle(ctx: PipelineContext) -> None:
    """Set ``ctx.contact`` and the message's sender to the contact, or to ``slack:<user>``."""
    message = ctx.message
    organisation = channel_organisation(ctx.session, ctx.settings, message.slack_channel or "")
    if organisation is None:
        raise Discard(f"{message.slack_channel} is not a customer channel")
    contact = _contact(ctx, message.slack_user or "", message.sender_email)
    if contact is not None and contact.organisation_id == organisation.id:
        ctx.contact = contact
        message.sender_email, message.sender_name = contact.email, contact.name or message.sender_name
        ctx.decide(f"Slack user {message.slack_user} is {contact.email} of {organisation.number}")
        return
    message.sender_email = f"slack:{message.slack_user}"
    ctx.decide(f"Slack user {message.slack_user} is no registered contact of {organisation.number}")


def _contact(ctx: PipelineContext, slack_user: str, profile_email: str) -> Contact | None:
    linked = ctx.session.execute(select(Contact).where(Contact.slack_user_id == slack_user)).scalar_one_or_none()
    if linked is not None or not profile_email:
        return linked
    contact = directory.find_contact(ctx.session, profile_email)
    if contact is None or contact.slack_user_id not in (None, slack_user):
        return None  # that address belongs to someone linked to another Slack user
    if not ctx.dry_run:
        contact.slack_user_id = slack_user
        ctx.decide(f"linked {contact.email} to Slack user {slack_user}")
    return contact
