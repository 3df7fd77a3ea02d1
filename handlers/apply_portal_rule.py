"""apply-portal-rule: what a message that belongs to no ticket becomes.

New cases are registered in the customer portal. A registered contact's new
case gets the portal answer and becomes an inquiry staff can still open as a
ticket; with ``portal.new_case_policy = "ticket"`` it becomes a ticket at once.
Unknown (or unauthorised) senders get the unknown-sender answer and an inquiry.
The portal's own notification mails create the ticket.
"""

from __future__ import annotations

import re

from bot.domain.mail.mailboxes import sole_mailbox
from bot.domain.mail.subjects import strip_prefixes
from bot.desk.autoreply import answer, greeting_name, next_opening_text
from handlers.base import Discard, PipelineContext, Quarantine
from bot.desk.open_ticket import open_ticket
from storage.repositories import directory, inquiries, tickets

NAME = "apply-portal-rule"


def handle(ctx: PipelineContext) -> None:
    """Turn an unmatched message into a ticket or an inquiry, and answer it."""
    if ctx.ticket is not None:
        return
    message = ctx.message
    if _is_portal_notification(ctx):
        _open_from_portal_mail(ctx)
        return
    ctx.contact = directory.find_contact(ctx.session, message.sender_email) if message.sender_email else None
    if ctx.contact is None or not ctx.contact.authorised:
        _unknown_sender(ctx)
    elif ctx.settings.portal.new_case_policy == "ticket":
        ctx.ticket = open_ticket(
            ctx.session, ctx.settings, ctx.calendar, ctx.now, subject=strip_prefixes(message.subject),
            origin=message.channel, contact=ctx.contact, language=ctx.contact.language,
            participants=(message.sender_email,), text=message.text,
        ) if not ctx.dry_run else None
        ctx.created_ticket = True
        ctx.decide(f"new case from {message.sender_email}: opened {ctx.ticket.reference if ctx.ticket else 'a ticket'}")
    else:
        _redirect_to_portal(ctx)


def _redirect_to_portal(ctx: PipelineContext) -> None:
    contact, message = ctx.contact, ctx.message
    ctx.decide(f"new case from registered contact {message.sender_email}: portal rule")
    _record_inquiry(ctx, "new_case")
    answer(ctx, "portal_redirect", to=message.sender_email, lang=contact.language, context={
        "contact_name": greeting_name(contact.name), "subject": strip_prefixes(message.subject),
        "next_open_at": next_opening_text(ctx, contact.language),
    })


def _unknown_sender(ctx: PipelineContext) -> None:
    message = ctx.message
    known = "unauthorised contact" if ctx.contact is not None else "unknown sender"
    ctx.decide(f"{known} {message.sender_email or '(none)'}")
    _record_inquiry(ctx, "unknown_sender")
    if not message.sender_email:
        return
    lang = ctx.contact.language if ctx.contact else ctx.settings.desk.default_language
    answer(ctx, "unknown_sender", to=message.sender_email, lang=lang, context={
        "contact_name": greeting_name(message.sender_name), "subject": strip_prefixes(message.subject),
        "sender_address": message.sender_email,
    })


def _record_inquiry(ctx: PipelineContext, kind: str) -> None:
    if ctx.dry_run:
        return
    message = ctx.message
    ctx.inquiry = inquiries.create_inquiry(
        ctx.session, kind=kind, channel=message.channel, created_at=ctx.now, sender_email=message.sender_email,
        sender_name=message.sender_name[:255], contact_id=ctx.contact.id if ctx.contact else None,
        organisation_id=ctx.contact.organisation_id if ctx.contact else None, subject=message.subject[:998],
        text=message.text, message_id=message.message_id if message.channel == "email" else None,
        slack_key=message.message_id if message.channel == "slack" else None,
        slack_user_id=message.slack_user, raw_message_id=message.raw_id,
    )


def _is_portal_notification(ctx: PipelineContext) -> bool:
    portal = ctx.settings.portal
    return bool(portal.notification_sender) and ctx.message.sender_email == portal.notification_sender.lower() \
        and re.search(portal.notification_subject_pattern, ctx.message.subject) is not None


def _open_from_portal_mail(ctx: PipelineContext) -> None:
    """The portal's notification: the case id from the subject, the contact from Reply-To (one mailbox)."""
    message = ctx.message
    match = re.search(ctx.settings.portal.notification_subject_pattern, message.subject)
    case_id = (match.groupdict().get("case_id") or "").strip()
    # The same rule as From (bot/domain/mail/mailboxes.py); repeated Reply-To fields arrive joined.
    reply_to, problem = sole_mailbox("Reply-To", [message.header("reply-to")] if message.header("reply-to") else [])
    if reply_to is None:
        raise Quarantine(f"portal notification names no contact: {problem}")
    contact = directory.find_contact(ctx.session, reply_to.address)
    if not case_id or contact is None:
        raise Quarantine(f"portal notification without a case id or a registered contact ({reply_to.address})")
    if tickets.find_by_portal_case(ctx.session, case_id) is not None:
        raise Discard(f"portal case {case_id} already has a ticket")
    subject = message.subject[match.end():].strip(" :-–") or message.subject
    ctx.contact = contact
    if not ctx.dry_run:
        ctx.ticket = open_ticket(
            ctx.session, ctx.settings, ctx.calendar, ctx.now, subject=subject, origin="portal", contact=contact,
            language=contact.language, participants=(contact.email,), portal_case_id=case_id, text=message.text,
        )
    ctx.created_ticket = True
    ctx.decide(f"portal case {case_id} for {contact.email}: opened {ctx.ticket.reference if ctx.ticket else 'a ticket'}")
