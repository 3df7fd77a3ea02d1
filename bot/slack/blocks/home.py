"""Block Kit for the agents' App Home and the ``/support`` command: plain views in, payloads out. Pure.

Every string that came from a customer (subjects, names, organisations) or
from a person (agent names, notices) is escaped and cut with
:func:`bot.slack.text.fit`; the only ``<…>`` emitted is our own mention
of an agent's Slack id. Links are Slack's own permalinks, carried by URL
buttons, never written into text. A home view may hold 100 blocks and a
message 50: each list shows at most ``HOME_ROWS`` / ``MESSAGE_ROWS`` rows and
then says how many more there are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks.card import PRIORITY_EMOJI, PRIORITY_LABELS, SLA_BADGES, STATUS_LABELS
from bot.slack.text import clip_escaped, fit, is_slack_user_id, mention
from bot.desk.home import HOME_ROWS, HomeView, Listing, OnCallView
from bot.slack.ids import (
    HOME_CLAIM,
    HOME_INQUIRY_OPEN,
    HOME_OPEN_CARD,
    HOME_REFRESH,
    NEW_CONTACT,
    NEW_DESCRIPTION,
    NEW_PRIORITY,
    NEW_SUBJECT,
    NEW_TICKET_MODAL,
    inquiry_value,
    new_ticket_metadata,
    parse_new_ticket_metadata,
    ticket_value,
)

HOME_MAX_BLOCKS, MESSAGE_MAX_BLOCKS = 100, 50
MESSAGE_ROWS = 15  # HOME_ROWS (bot/desk/home.py): 4 lists × (2 blocks × 10 rows + 2) + the rest < 100
TEXT_MAX, PART_CHARS, SUBJECT_CHARS = 3000, 300, 150

Links = Mapping[tuple[str, str], str]  # (channel, ts) → permalink



# -- App Home ----------------------------------------------------------------------


def build_home(view: HomeView, links: Links) -> dict[str, Any]:
    """The home tab (for views.publish)."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain("🎧 Support desk", 150)},
        {"type": "context", "elements": [_mrkdwn(f"{fit(view.agent_name, PART_CHARS)} · {fit(view.updated_text, 100)}")]},
        {"type": "actions", "elements": [_button("↻ Refresh", HOME_REFRESH, "refresh")]},
    ]
    if view.notice:
        blocks.append(_section(view.notice))
    blocks += [{"type": "divider"}, _section(f"*On call now:* {oncall_text(view.oncall)}")]
    lists = (("🙋 My open tickets", view.mine), ("📭 Unassigned", view.unassigned),
             ("⏰ Breaching soon (first response due within 30 business minutes, or overdue)", view.breaching))
    for title, listing in lists:
        blocks += _ticket_list(title, listing, links, HOME_ROWS)
    blocks += _inquiry_list(view.inquiries, links)
    return {"type": "home", "blocks": _capped(blocks, HOME_MAX_BLOCKS)}


def build_not_an_agent(refusal: dict[str, Any]) -> dict[str, Any]:
    """The home tab of someone who is not an agent: the refusal (``build_refusal``'s blocks), nothing to click."""
    return {"type": "home", "blocks": refusal["blocks"]}


def oncall_text(oncall: OnCallView) -> str:
    """Our mention of the agent on call, else the escaped description."""
    if is_slack_user_id(oncall.slack_user_id):
        return f"{mention(oncall.slack_user_id)} ({fit(oncall.text, PART_CHARS)})"
    return fit(oncall.text, PART_CHARS)


def _ticket_list(title: str, listing: Listing, links: Links, limit: int) -> list[dict[str, Any]]:
    blocks = [_section(f"*{title}* ({listing.total})")]
    if not listing.rows:
        return blocks + [_context("_Nothing here._")]
    for row in listing.rows[:limit]:
        blocks += ticket_row(row, links)
    return blocks + _more(listing.total - min(len(listing.rows), limit))


def ticket_row(row: TicketRow, links: Links) -> list[dict[str, Any]]:
    """A ticket as one section: what it is (the reference links to its card), with Claim beside it when
    nobody holds it, else "Open card" — one block a row, so the list reads as rows, not as button bars."""
    badge = f"{SLA_BADGES.get(row.sla_state or '', '')} {fit(row.sla_text or '', PART_CHARS)}".strip()
    holder = mention(row.assignee_slack_id) if is_slack_user_id(row.assignee_slack_id) else \
        fit(row.assignee_name, PART_CHARS) if row.assignee_name else "_unassigned_"
    facts = [fit(row.organisation_name, PART_CHARS) if row.organisation_name else "",
             STATUS_LABELS.get(row.status, row.status), holder]
    card = links.get(row.card) if row.card else None
    reference = f"<{card}|{fit(row.reference, 40)}>" if card else fit(row.reference, 40)
    mark = f"{PRIORITY_EMOJI[row.priority]} " if row.priority in ("high", "urgent") else ""
    text = (f"{mark}*{reference}* · {fit(row.subject, SUBJECT_CHARS)}\n"
            + " · ".join([fact for fact in facts if fact] + ([badge] if badge else [])))
    value = ticket_value(row.ticket_id, row.seen)
    section = _section(text)
    if not (row.assignee_slack_id or row.assignee_name):
        section["accessory"] = _button("Claim", HOME_CLAIM, value, "primary")
    elif card:
        section["accessory"] = _link_button("Open card", card, value)
    return [section]


def _inquiry_list(listing: Listing, links: Links) -> list[dict[str, Any]]:
    blocks = [_section(f"*📨 Inquiries waiting* ({listing.total})")]
    if not listing.rows:
        return blocks + [_context("_Nothing here._")]
    for row in listing.rows[:HOME_ROWS]:
        how = "e-mail" if row.channel == "email" else "chat"
        org = f" · {fit(row.organisation_name, PART_CHARS)}" if row.organisation_name else ""
        text = (f"*{fit(row.subject or '(no subject)', SUBJECT_CHARS)}*\n"
                f"{fit(row.sender, PART_CHARS)}{org} · by {how} · {fit(row.received_text, 100)}")
        value = inquiry_value(row.inquiry_id)
        buttons = [_button("Open as ticket", HOME_INQUIRY_OPEN, value)]
        if row.notice and row.notice in links:
            buttons.append(_link_button("Open notice", links[row.notice], value))
        blocks += [_section(text), {"type": "actions", "elements": buttons}]
    return blocks + _more(listing.total - min(len(listing.rows), HOME_ROWS))


# -- /support ------------------------------------------------------------------------


def build_ticket_list(title: str, listing: Listing, links: Links) -> dict[str, Any]:
    """An ephemeral list of tickets (``/support mine``)."""
    blocks = _ticket_list(title, listing, links, MESSAGE_ROWS)
    return {"text": fit(f"{title} ({listing.total})", 300), "blocks": _capped(blocks, MESSAGE_MAX_BLOCKS)}


def build_oncall(oncall: OnCallView, when_text: str) -> dict[str, Any]:
    """``/support oncall``: who is on call now."""
    line = f"📟 On call {fit(when_text, 100)}: {oncall_text(oncall)}"
    return {"text": line, "blocks": [_section(line)]}


def build_help(prefix: str, problem: str | None = None) -> dict[str, Any]:
    """What ``/support`` understands (after ``problem``, e.g. an unknown subcommand, when given)."""
    lines = [f"⛔ {fit(problem, 500)}"] if problem else []
    lines += [
        "*`/support` understands:*",
        f"• `/support {prefix}-2026-00042` — the ticket's summary with its buttons",
        "• `/support mine` — your open tickets",
        "• `/support oncall` — who is on call now",
        "• `/support search WORDS` — the ten tickets that match best (subjects and messages, Swedish and English)",
        "• `/support new` — open a ticket on a customer's behalf (after a phone call, say)",
        "• `/support link-channel ORG` — make this channel a customer channel of organisation number ORG",
    ]
    return {"text": "How to use /support", "blocks": [_section("\n".join(lines))]}


def build_new_ticket_modal(channel_id: str) -> dict[str, Any]:
    """The ``/support new`` form: the contact's e-mail, subject, description and priority."""
    priorities = [_option(f"{PRIORITY_EMOJI[p]} {PRIORITY_LABELS[p]}", p) for p in PRIORITY_EMOJI]
    return {
        "type": "modal",
        "callback_id": NEW_TICKET_MODAL,
        "private_metadata": new_ticket_metadata(channel_id),
        "title": _plain("New ticket", 24),
        "submit": _plain("Open ticket", 24),
        "close": _plain("Cancel", 24),
        "blocks": [
            _context("A ticket on a customer's behalf. The customer gets the receipt by e-mail; the card is posted."),
            _input(NEW_CONTACT, "Contact's e-mail address", {"type": "email_text_input"}),
            _input(NEW_SUBJECT, "Subject", {"type": "plain_text_input", "max_length": 150}),
            _input(NEW_DESCRIPTION, "What the customer reported",
                   {"type": "plain_text_input", "multiline": True, "max_length": TEXT_MAX}),
            _input(NEW_PRIORITY, "Priority", {"type": "static_select", "options": priorities,
                                              "initial_option": priorities[1]}),
        ],
    }


@dataclass(frozen=True, slots=True)
class NewTicketForm:
    """What the ``/support new`` form submitted; ``channel`` is where the command was used."""

    contact_email: str
    subject: str
    description: str
    priority: str
    channel: str | None


def parse_new_ticket(view: dict[str, Any]) -> NewTicketForm:
    """The submitted form (untrusted input: anything missing reads as empty)."""
    values = (view.get("state") or {}).get("values") or {}

    def typed(block: str) -> str:
        element = (values.get(block) or {}).get(block) or {}
        return (element.get("value") or (element.get("selected_option") or {}).get("value") or "").strip()

    return NewTicketForm(typed(NEW_CONTACT).lower(), typed(NEW_SUBJECT), typed(NEW_DESCRIPTION),
                         typed(NEW_PRIORITY) or "normal", parse_new_ticket_metadata(view.get("private_metadata") or ""))


# -- primitives ----------------------------------------------------------------------


def _more(hidden: int) -> list[dict[str, Any]]:
    return [_context(f"… and {hidden} more")] if hidden > 0 else []


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit), "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip_escaped(text, TEXT_MAX)}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "action_id": action_id, "text": _plain(label, 75), "value": value}
    return button | ({"style": style} if style else {})


def _link_button(label: str, url: str, value: str) -> dict[str, Any]:
    # A URL button still sends a click to the app, which acks it (HOME_OPEN_CARD).
    return _button(label, HOME_OPEN_CARD, value) | {"url": url[:3000]}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label, 75), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(label, 2000),
            "element": {**element, "action_id": block_id}}


def _capped(blocks: Sequence[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if len(blocks) <= limit:
        return list(blocks)
    return list(blocks[: limit - 1]) + [_context(f"… {len(blocks) - limit + 1} more blocks not shown")]
