"""Block Kit builders: plain views in, message and modal payloads out. Pure; no Slack client here.

Every customer-derived string goes through :mod:`bot.slack.text`
(escaped, cut to Slack's limits with the cut marked "…"), so a ``<!channel>``
in an e-mail reaches Slack as text. The only ``<…>`` we emit are our own
mentions of agents' Slack ids. Values carried by interactive elements are
the JSON of :mod:`bot.slack.ids`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from bot.domain.stale_clicks import Seen
from bot.domain.tickets import AGENT_STATUSES, PRIORITY_LABELS, STATUS_LABELS
from bot.slack.blocks.card_more import card_more_menu
from bot.slack.blocks.org_context import org_context_line
from bot.slack.blocks.reply_files import reply_files_block
from bot.slack.text import ELLIPSIS, clip_escaped, escape_mrkdwn, fit, is_slack_user_id, quoted_chunks
from bot.desk.card_view import CardView, InquiryView
from bot.slack.ids import (
    CARD_ACTIONS_BLOCK,
    CLAIM,
    ESCALATE,
    INQUIRY_DISMISS,
    INQUIRY_OPEN,
    PRIORITY,
    REPLY,
    REPLY_CANNED,
    REPLY_MODAL,
    REPLY_TEXT,
    REQUEST_INFO,
    STATUS,
    UNASSIGN,
    inquiry_value,
    ticket_value,
)

# Slack's documented limits (Block Kit reference).
MAX_BLOCKS = 50
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
FIELD_TEXT_MAX = 2000
BUTTON_TEXT_MAX = 75
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
VALUE_MAX = 2000
MODAL_TITLE_MAX = 24
MAX_OPTIONS = 100
INPUT_MAX = 3000

EXCERPT_CHARS = 500
FALLBACK_CHARS = 300
PART_CHARS = 600  # one name, address or label inside a field; three fit FIELD_TEXT_MAX
TIMELINE_SECTIONS = 5
ATTACHMENT_NAMES = 20
SIMILAR_SUBJECT_CHARS, SIMILAR_ANSWER_CHARS = 120, 200  # three cases stay well inside a context block's 3,000

# For chat.postMessage: no link or media previews of customer-supplied URLs.
# `link_names` is deliberately absent: nothing we post may turn "@here" into a ping.
POST_DEFAULTS: dict[str, Any] = {"unfurl_links": False, "unfurl_media": False}

METADATA_EVENT_TYPE = "supportbot_ticket"
# A registered contact de-authorised in the directory: their mail is answered as an unknown sender's.
NO_LONGER_AUTHORISED = "⚠️ _no longer authorised_"

PRIORITY_EMOJI = {"low": "⚪", "normal": "🔵", "high": "🟠", "urgent": "🔴"}
STATUS_CHOICES = AGENT_STATUSES
LOUD_PRIORITIES = ("high", "urgent")
LINE_LABELS = {1: "1st line", 2: "2nd line", 3: "3rd line"}
ESCALATE_LABELS = {2: "To line 2", 3: "To line 3", 1: "Back to line 1"}
SLA_BADGES = {"on_track": "🟢", "due_soon": "🟡", "overdue": "🔴", "met": "✅", "missed": "❌"}
TIMELINE_KINDS = {
    "email": ("📧", "wrote by e-mail"),
    "slack": ("💬", "wrote in chat"),
    "portal": ("🌐", "wrote in the portal"),
    "reply": ("📤", "replied to the customer"),
    "note": ("🗒️", "added a note"),
}


# -- ticket card -------------------------------------------------------------


def build_card(view: CardView) -> dict[str, Any]:
    """The card for ``view``: ``text`` (fallback), ``blocks`` and ``metadata`` for chat.postMessage/update."""
    blocks = [_card_header(view), _card_fields(view), _section(_excerpt(view.excerpt))]
    if view.similar and not view.is_closed:
        blocks.append(_context(_similar(view.similar)))
    glance = org_context_line(view) if not view.is_closed else ""
    if glance:
        blocks.append(_context(glance))
    notes = _card_notes(view)
    if notes:
        blocks.append(_context(notes))
    if not view.is_closed:
        blocks.append(_card_actions(view))
    fallback = f"{_priority_mark(view.priority)}{view.reference}: {view.subject} ({STATUS_LABELS[view.status]})"
    return {
        "text": fit(fallback, FALLBACK_CHARS),
        "blocks": _capped(blocks),
        "metadata": {
            "event_type": METADATA_EVENT_TYPE,
            "event_payload": {"ticket_id": view.ticket_id, "revision": view.revision},
        },
    }


def _card_header(view: CardView) -> dict[str, Any]:
    mark = "✅ " if view.is_closed else _priority_mark(view.priority)
    return {"type": "header", "text": _plain(f"{mark}{view.reference} · {view.subject}", HEADER_TEXT_MAX)}


def _card_fields(view: CardView) -> dict[str, Any]:
    contact = [fit(part, PART_CHARS) for part in (view.contact_name, view.contact_email) if part]
    if not view.contact_authorised:
        contact.append(NO_LONGER_AUTHORISED)
    sla = f"{SLA_BADGES.get(view.sla_state or '', '')} {fit(view.sla_text or '', PART_CHARS)}".strip()
    # Empty fields are left out ("SLA —" said nothing); the emoji only where the priority asks for attention.
    fields = [
        ("Organisation", fit(view.organisation_name, PART_CHARS) if view.organisation_name else ""),
        ("Contact", "\n".join(contact)),
        ("Status", STATUS_LABELS[view.status]),
        ("Line", LINE_LABELS[view.line]),
        ("Priority", f"{_priority_mark(view.priority)}{PRIORITY_LABELS[view.priority]}"),
        ("Assignee", _assignee(view)),
        ("SLA", sla),
        ("Category", _category(view)),
    ]
    return {"type": "section", "fields": [_field(label, value) for label, value in fields if value]}


def _priority_mark(priority: str) -> str:
    """The priority's emoji and a space for high and urgent; nothing for the calm ones."""
    return f"{PRIORITY_EMOJI[priority]} " if priority in LOUD_PRIORITIES else ""


def _assignee(view: CardView) -> str:
    if is_slack_user_id(view.assignee_slack_id):
        return f"<@{view.assignee_slack_id}>"  # our own mention of an agent, never customer text
    return fit(view.assignee_name, PART_CHARS) if view.assignee_name else "_unassigned_"


def _category(view: CardView) -> str:
    shown = fit(view.category, PART_CHARS) if view.category else ""
    suggested = [f"line {view.suggested_line}" if view.suggested_line else "", view.suggested_category or ""]
    suggestion = " / ".join(part for part in suggested if part)
    return "\n".join(filter(None, [shown, f"_suggested: {fit(suggestion, PART_CHARS)}_" if suggestion else ""]))


def _excerpt(text: str) -> str:
    """The first EXCERPT_CHARS of the customer's text as an escaped quote; a cut is marked "…"."""
    text = re.sub(r"\n[ \t]*(\n[ \t]*)+", "\n\n", text.strip())  # mail bodies often carry runs of blank lines
    if not text:
        return "_(no text)_"
    return quoted_chunks(fit(text, EXCERPT_CHARS, escape=False), SECTION_TEXT_MAX, 1)[0]


def _similar(cases) -> str:
    """"Similar solved cases": each its reference (a link to its card when it has one), subject and answer."""
    lines = ["*Similar solved cases*"]
    for case in cases:
        reference = fit(case.reference, 40)
        if case.url.startswith("https://slack.com/"):  # our own link, built from ids; never customer text
            reference = f"<{case.url}|{reference}>"
        answer = f" — {fit(case.answer, SIMILAR_ANSWER_CHARS)}" if case.answer else ""
        lines.append(f"• {reference} {fit(case.subject, SIMILAR_SUBJECT_CHARS)}{answer}")
    return "\n".join(lines)


def _card_notes(view: CardView) -> str:
    notes = []
    if view.attachment_count:
        noun = "attachment" if view.attachment_count == 1 else "attachments"
        notes.append(f"📎 {view.attachment_count} {noun}")
    if view.is_closed:
        notes.append("🔒 closed")
    return " · ".join(notes)


def _card_actions(view: CardView) -> dict[str, Any]:
    value = ticket_value(view.ticket_id, view.seen)
    holder = _button("Unassign", UNASSIGN, value) if view.is_assigned else _button("Claim", CLAIM, value, "primary")
    escalate = [_option(ESCALATE_LABELS[line], ticket_value(view.ticket_id, view.seen, str(line)))
                for line in (2, 3, 1) if line != view.line]
    return {
        "type": "actions",
        # A new block_id per revision makes clients draw the selects from
        # initial_option again instead of keeping a stale local choice.
        "block_id": f"{CARD_ACTIONS_BLOCK}.r{view.revision}",
        "elements": [
            holder,
            _button("Reply to customer", REPLY, value),
            _button("Request info", REQUEST_INFO, value),
            _select("Escalate…", ESCALATE, escalate),
            # Priority and status sit behind "⋯" with Log call, so the row stays one line.
            card_more_menu(view.ticket_id, view.seen),
        ],
    }


# -- thread posts ------------------------------------------------------------


def build_timeline_message(author: str, text: str, attachments: Sequence[str], kind: str) -> dict[str, Any]:
    """A message on the ticket's timeline (its card's thread): who, the quoted text, attachment names."""
    if kind not in TIMELINE_KINDS:
        raise ValueError(f"kind must be one of {tuple(TIMELINE_KINDS)}, got {kind!r}")
    icon, verb = TIMELINE_KINDS[kind]
    head = f"{icon} *{fit(author or 'unknown sender', PART_CHARS)}* {verb}:"
    blocks = [_context(head)]
    if text.strip():
        blocks += [_section(chunk) for chunk in quoted_chunks(text.strip(), SECTION_TEXT_MAX, TIMELINE_SECTIONS)]
    if attachments:
        blocks.append(_context(_attachment_list(attachments)))
    fallback = f"{icon} {author} {verb}: {' '.join(text.split())}"
    return {"text": fit(fallback, FALLBACK_CHARS), "blocks": _capped(blocks)}


def _attachment_list(names: Sequence[str]) -> str:
    shown = ", ".join(fit(name or "(unnamed)", 200) for name in names[:ATTACHMENT_NAMES])
    more = len(names) - ATTACHMENT_NAMES
    return f"📎 {shown}" + (f" and {more} more" if more > 0 else "")


def build_audit_line(text: str, *, actor_slack_id: str | None = None, icon: str = "•") -> dict[str, Any]:
    """One audit line, e.g. ``📤 sent to customer by <@U123>``; ``text`` is escaped, the actor is our mention."""
    line = f"{icon} {fit(text, SECTION_TEXT_MAX - 100)}".strip()
    if is_slack_user_id(actor_slack_id):
        line += f" by <@{actor_slack_id}>"
    return {"text": line, "blocks": [_context(line)]}


def build_inquiry_notice(view: InquiryView) -> dict[str, Any]:
    """A compact staff notice of a new case that came by mail or chat instead of the portal."""
    how = "by e-mail" if view.channel == "email" else "in chat"
    lines = [f"📨 *New case {how}* from {_sender(view)}"]
    if view.subject:
        lines.append(f"*{fit(view.subject, PART_CHARS)}*")
    if view.excerpt.strip():
        lines.append(quoted_chunks(fit(view.excerpt.strip(), 300, escape=False), 1000, 1)[0])
    notes = ["answered with the portal link" if view.portal_answer_sent else "not answered yet"]
    if not view.contact_authorised:
        notes.insert(0, NO_LONGER_AUTHORISED)
    if view.received_text:
        notes.append(fit(view.received_text, PART_CHARS))
    value = inquiry_value(view.inquiry_id)
    blocks = [
        _section("\n".join(lines)),
        _context(" · ".join(notes)),
        {"type": "actions", "elements": [
            _button("Open as ticket anyway", INQUIRY_OPEN, value),  # not primary: it bypasses the portal rule
            _button("Dismiss", INQUIRY_DISMISS, value),
        ]},
    ]
    fallback = f"New case {how} from {view.sender_name or view.sender_email or 'unknown sender'}: {view.subject or ''}"
    return {"text": fit(fallback, FALLBACK_CHARS), "blocks": blocks}


def _sender(view: InquiryView) -> str:
    parts = [fit(view.sender_name, PART_CHARS) if view.sender_name else ""]
    parts.append(f"({fit(view.sender_email, PART_CHARS)})" if view.sender_email else "")
    parts.append(f"· {fit(view.organisation_name, PART_CHARS)}" if view.organisation_name else "")
    return " ".join(p for p in parts if p) or "unknown sender"


def build_refusal(text: str) -> dict[str, Any]:
    """An ephemeral refusal ("only agents can do that", "the card changed, try again")."""
    line = f"⛔ {fit(text, SECTION_TEXT_MAX - 2)}"
    return {"text": line, "blocks": [_section(line)]}


# -- reply modal ---------------------------------------------------------------


def build_reply_modal(
    ticket_id: int,
    seen: Seen,
    reference: str,
    greeting: str,
    signature: str,
    canned: Sequence[tuple[Any, str, str]] = (),
    prefill_text: str = "",
    *,
    in_slack: bool = False,
) -> dict[str, Any]:
    """The "Reply to customer" modal (for views.open / views.update).

    ``seen``: the ticket as it was when the modal opened; the send is refused
    only if what a reply rests on (its status) changed while the agent typed.

    ``in_slack``: the ticket came from a customer's Slack channel, where the
    reply goes (in its thread), so the modal says so instead of "by e-mail".

    ``canned`` holds ``(id, title, text)``; only the titles are shown, the
    listener looks the text up by id and redraws the modal with it as
    ``prefill_text``. The text input's block_id changes with the prefill,
    because Slack keeps what was typed into a block whose id is unchanged.
    ``prefill_text`` is the input's raw value: it is edited, not rendered,
    so it is not escaped.
    """
    digest = hashlib.sha256(prefill_text.encode()).hexdigest()[:10]
    blocks: list[dict[str, Any]] = [_context(
        f"Reply on *{fit(reference, PART_CHARS)}*: sent to the customer "
        f"{'in their Slack thread' if in_slack else 'by e-mail'}. Thread messages stay internal."
    )]
    if canned:
        options = [_option(title, str(ident)[:OPTION_VALUE_MAX]) for ident, title, _text in canned[:MAX_OPTIONS]]
        blocks.append({"type": "actions", "block_id": REPLY_CANNED,
                       "elements": [_select("Insert a canned reply", REPLY_CANNED, options)]})
    if greeting.strip():
        blocks.append(_context(fit(greeting.strip(), SECTION_TEXT_MAX)))
    element = {"type": "plain_text_input", "action_id": REPLY_TEXT, "multiline": True, "max_length": INPUT_MAX}
    if prefill_text:
        element["initial_value"] = fit(prefill_text, INPUT_MAX, escape=False)
    blocks.append({"type": "input", "block_id": f"{REPLY_TEXT}.{digest}", "label": _plain("Message", 2000), "element": element})
    if not in_slack:  # files go by mail (bot/slack/blocks/reply_files.py)
        blocks.append(reply_files_block())
    if signature.strip():
        blocks.append(_context(fit(signature.strip(), SECTION_TEXT_MAX)))
    return {
        "type": "modal",
        "callback_id": REPLY_MODAL,
        "private_metadata": ticket_value(ticket_id, seen),
        "title": _plain("Reply to customer", MODAL_TITLE_MAX),
        "submit": _plain("Send", MODAL_TITLE_MAX),
        "close": _plain("Cancel", MODAL_TITLE_MAX),
        "blocks": blocks,
    }


# -- primitives ----------------------------------------------------------------


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit), "emoji": True}


def _section(mrkdwn: str) -> dict[str, Any]:
    """A section of already-escaped mrkdwn (cut, never mid-entity, if a caller overran)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip_escaped(mrkdwn, SECTION_TEXT_MAX)}}


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip_escaped(mrkdwn, SECTION_TEXT_MAX)}]}


def _field(label: str, mrkdwn: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": clip_escaped(f"*{label}*\n{mrkdwn}", FIELD_TEXT_MAX)}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "action_id": action_id, "text": _plain(label, BUTTON_TEXT_MAX), "value": value[:VALUE_MAX]}
    if style:
        button["style"] = style
    return button


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label, OPTION_TEXT_MAX), "value": value}


def _select(placeholder: str, action_id: str, options: list, initial: dict | None = None) -> dict[str, Any]:
    select = {"type": "static_select", "action_id": action_id, "placeholder": _plain(placeholder, 150), "options": options}
    if initial is not None:
        select["initial_option"] = initial
    return select


def _capped(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    return blocks[: MAX_BLOCKS - 1] + [_context(f"{ELLIPSIS} {len(blocks) - MAX_BLOCKS + 1} more blocks not shown")]


__all__ = [
    "POST_DEFAULTS", "build_card", "build_timeline_message", "build_audit_line", "build_inquiry_notice",
    "build_refusal", "build_reply_modal", "escape_mrkdwn",
]
