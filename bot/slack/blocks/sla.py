"""Block Kit for SLA alerts: one alert, or a digest of many; in the alerts channel or as a DM. Pure.

Customer-derived strings (subject, organisation) are escaped with
:func:`bot.slack.text.fit`; the only ``<…>`` emitted are our own
mentions of agents' Slack ids (:func:`mention`, which refuses anything else)
and links we built. Never ``<!channel>`` or ``<!here>``: on call means one
person, not the whole channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.slack.ids import SLA_ESCALATE, SLA_ON_IT, sla_value
from bot.slack.text import clip_escaped, fit, is_slack_user_id, mention

DIGEST_LISTED = 20  # tickets shown in a digest; Slack allows 50 blocks
SECTION_MAX, PART = 3000, 300
ICONS = {"warning": "🟡", "breach": "🔴", "reminder": "⏰"}


@dataclass(frozen=True, slots=True)
class AlertLine:
    """One alert as shown: the facts are decided, the strings raw (escaped here)."""

    ticket_id: int
    reference: str
    subject: str
    organisation: str | None
    level: str
    occurrence: int
    timing: str  # e.g. "due Mon 18 May 10:59 (in 29 min)", "was due 10:59 · overdue 35 min"
    card_url: str | None = None
    acknowledged_by: str | None = None  # Slack id of who said "I'm on it"
    handled: bool = False  # first response given (or closed) since the alert


def title(lines: Sequence[AlertLine]) -> str:
    """ "SLA warning", "SLA breach", "SLA reminder 2"; for a digest "5 SLA breaches" (or warnings, or alerts)."""
    if len(lines) == 1:
        line = lines[0]
        return f"SLA reminder {line.occurrence}" if line.level == "reminder" else f"SLA {line.level}"
    warnings = sum(line.level == "warning" for line in lines)
    noun = "warnings" if warnings == len(lines) else "breaches" if warnings == 0 else "alerts"
    return f"{len(lines)} SLA {noun}"


def build_sla_message(lines: Sequence[AlertLine], *, source_row: int, oncall_ids: Sequence[str] = (),
                      oncall_note: str | None = None, escalated_by: str | None = None,
                      in_channel: bool = True) -> dict[str, Any]:
    """The alert (one line) or digest (several) with "I'm on it" per case and one "Escalate"."""
    digest = len(lines) > 1
    worst = max(lines, key=lambda line: ("warning", "breach", "reminder").index(line.level))
    heading = title(lines)
    blocks: list[dict[str, Any]] = [
        _section(f"{ICONS[worst.level]} *{heading}*" + _who(oncall_ids, oncall_note, escalated_by, in_channel))]
    shown = lines[:DIGEST_LISTED] if digest else lines
    for line in shown:
        blocks.append(_line_block(line, source_row, digest))
    if len(lines) > len(shown):
        blocks.append(_context(f"…and {len(lines) - len(shown)} more"))
    if any(not line.handled and not line.acknowledged_by for line in lines):
        buttons = [] if digest else [_button("I'm on it", SLA_ON_IT, sla_value(source_row, lines[0].ticket_id), "primary")]
        buttons.append(_button("Escalate", SLA_ESCALATE, sla_value(source_row)))
        blocks.append({"type": "actions", "elements": buttons})
    refs = ", ".join(line.reference for line in lines[:5]) + (" …" if len(lines) > 5 else "")
    return {"text": fit(f"{heading}: {refs}" + ("" if digest else f" {lines[0].subject}"), 300), "blocks": blocks}


def _who(oncall_ids: Sequence[str], note: str | None, escalated_by: str | None, in_channel: bool) -> str:
    parts = []
    if escalated_by and is_slack_user_id(escalated_by):
        parts.append(f"escalated to you by {mention(escalated_by)}")
    if in_channel:
        ids = [mention(user) for user in oncall_ids if is_slack_user_id(user)]
        parts.append(f"on call: {' '.join(ids)}" if ids else f"_no one on call{': ' + fit(note, PART) if note else ''}_")
    return (" · " + " · ".join(parts)) if parts else ""


def _line_block(line: AlertLine, source_row: int, digest: bool) -> dict[str, Any]:
    head = f"*{fit(line.reference, 40)}* {fit(line.subject, PART)}"
    if line.organisation:
        head += f" — {fit(line.organisation, PART)}"
    details = [fit(line.timing, PART)]
    if line.card_url:
        details.append(f"<{line.card_url}|open the card>")
    if line.acknowledged_by and is_slack_user_id(line.acknowledged_by):
        details.append(f"✅ {mention(line.acknowledged_by)} is on it")
    elif line.handled:
        details.append("✅ handled")
    if digest:
        head = f"{ICONS[line.level]} {head}"
    block = _section(f"{head}\n{' · '.join(details)}")
    if digest and not line.handled and not line.acknowledged_by:
        block["accessory"] = _button("I'm on it", SLA_ON_IT, sla_value(source_row, line.ticket_id), "primary")
    return block


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip_escaped(mrkdwn, SECTION_MAX)}}


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip_escaped(mrkdwn, SECTION_MAX)}]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": label, "emoji": True},
              "value": value}
    if style:
        button["style"] = style
    return button

