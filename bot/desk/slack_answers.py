"""Answers to customers who wrote in their Slack channel: a thread reply, never an e-mail.

Not a pipeline step: ``bot/desk/autoreply.py`` calls ``answer_in_thread`` for
Slack messages, and the staff actions call ``answer_ticket`` for tickets that
came from a customer channel. The text is rendered when the decision is made
and queued as one ``slack.customer_reply`` outbox row (channel, thread_ts,
text) in the same transaction; the deliverer only posts it.

Templates live in ``templates/slack/customer/<lang>/<name>.jinja`` (the
operator's ``desk.templates_dir`` is searched first, then the built-ins; the
contact's language before Swedish), one file per message, Slack mrkdwn,
``StrictUndefined``. Every value a template prints is escaped for Slack
(``&``, ``<``, ``>``), so a customer's name or an agent's text never becomes a
ping or a link; only the template's own words are mrkdwn.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TYPE_CHECKING

import jinja2
from sqlalchemy.orm import Session

from bot.app.config import Settings
from bot.desk.customer_mail import ticket_context
from bot.domain.mail.salutations import first_name
from bot.rendering.email import BUILTIN_DIR, desk_context
from storage.models import Contact, Ticket
from storage.repositories import messages, outbox

if TYPE_CHECKING:
    from handlers.base import PipelineContext

KIND = "slack.customer_reply"
FOLDER = Path("slack") / "customer"
LANGUAGES = ("sv", "en")
_CLOCK = {"sv": "%H.%M", "en": "%H:%M"}


class SlackTemplateMissing(LookupError):
    """No Slack template of that name in any folder of the lookup order."""


def render(settings: Settings, template: str, lang: str, context: dict[str, Any]) -> str:
    """The message ``template`` says in ``lang`` (else Swedish), as Slack mrkdwn with every value escaped."""
    for language in dict.fromkeys((lang if lang in LANGUAGES else "sv", "sv")):
        env = _environment(settings.desk.templates_dir, language)
        try:
            found = env.get_template(f"{template}.jinja")
        except jinja2.TemplateNotFound:
            continue
        text = found.render({**desk_context(settings), **context})
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    raise SlackTemplateMissing(f"Slack template {template!r} not found under {FOLDER} ({lang})")


def answer_in_thread(ctx: PipelineContext, template: str, lang: str, context: dict[str, Any], ticket=None) -> None:
    """The automatic answer to ``ctx.message``, in the thread it started or belongs to."""
    message = ctx.message
    queue_thread_reply(
        ctx.session, ctx.now, key=f"auto:{message.message_id}:{template}", channel=message.slack_channel,
        thread_ts=message.slack_thread_ts or message.slack_ts,
        text=render(ctx.settings, template, lang, (ticket_context(ctx.settings, ticket, lang) if ticket else {}) | context),
        ticket=ticket,
    )


def answer_ticket(session: Session, settings: Settings, now: datetime, ticket: Ticket, template: str,
                  extra: dict[str, Any], *, agent=None, audit: dict | None = None) -> None:
    """What the desk tells the customer of a Slack-origin ticket, in its customer thread.

    The key matches the e-mail path's, so the same decision queued twice posts once.
    """
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    lang = contact.language if contact else ticket.language
    context = {"contact_name": first_name(contact.name if contact else None), **ticket_context(settings, ticket, lang),
               **extra}
    queue_thread_reply(
        session, now, key=f"ticket:{ticket.id}:r{ticket.revision}:{template}", channel=ticket.customer_channel,
        thread_ts=ticket.customer_thread_ts, text=render(settings, template, lang, context), ticket=ticket,
        automatic=template != "agent_reply", agent_id=agent.id if agent else None, audit=audit,
    )


def queue_thread_reply(session: Session, now: datetime, *, key: str, channel: str, thread_ts: str, text: str,
                       ticket: Ticket | None = None, automatic: bool = True, agent_id: int | None = None,
                       audit: dict | None = None) -> bool:
    """One ``slack.customer_reply`` row (and the outbound message on the ticket); False if ``key`` was queued before.

    ``audit`` ({"icon", "text", "actor_slack_id"}) is posted in the card's thread once Slack took the reply.
    """
    payload = {"channel": channel, "thread_ts": thread_ts, "text": text, "audit": audit}
    if not outbox.enqueue(session, KIND, key, payload, now, ticket_id=ticket.id if ticket else None):
        return False
    if ticket is not None:
        messages.append_message(
            session, ticket, direction="outbound", channel="slack", visibility="customer", automatic=automatic,
            agent_id=agent_id, subject=ticket.subject, text=text, created_at=now,
        )
    return True


@lru_cache(maxsize=16)
def _environment(operator_dir: str, language: str) -> jinja2.Environment:
    roots = ([Path(operator_dir)] if operator_dir else []) + [BUILTIN_DIR]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(root / FOLDER / language) for root in roots]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_escaped,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = lambda value: value.strftime(_CLOCK[language])
    return env


def _escaped(value: Any) -> Any:
    # Slack's three control characters (bot.slack.text.escape_mrkdwn does
    # the same; handlers may not import the egress).
    if isinstance(value, str):
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value
