"""The card's "⋯" menu and its two forms: Log call, and Priority and status.

Priority and status used to be two selects in the card's actions row, which
then wrapped onto a second line; they live here now, behind one overflow,
with "Log call" (issue 19). Each option opens a modal that carries the ticket
as it was when it opened (``private_metadata``), so the Desk can refuse a stale submit.
"""

from __future__ import annotations

from typing import Any

from bot.desk.calls import OUTCOMES, SUMMARY_CHARS, WHOM_CHARS, PhoneCall
from bot.domain.stale_clicks import Seen
from bot.slack.text import fit
from bot.slack.ids import ticket_value

CARD_MORE = "card_more"
LOG_CALL, TRIAGE = "log_call", "triage"  # the overflow's choices
LOG_CALL_MODAL, TRIAGE_MODAL = "log_call_modal", "triage_modal"
WHOM, SUMMARY, OUTCOME, FIRST_RESPONSE = "call_whom", "call_summary", "call_outcome", "call_first_response"
PRIORITY_CHOICE, STATUS_CHOICE = "triage_priority", "triage_status"
PRIORITIES = {"urgent": "🔴 Urgent", "high": "🟠 High", "normal": "Normal", "low": "Low"}
STATUSES = {"open": "Open", "waiting_on_customer": "Waiting on customer", "closure_requested": "Closure requested",
            "closed": "Closed (asks to confirm)"}


def card_more_menu(ticket_id: int, seen: Seen) -> dict[str, Any]:
    """The overflow for the card's actions row."""
    return {"type": "overflow", "action_id": CARD_MORE, "options": [
        _option("📞 Log call…", ticket_value(ticket_id, seen, LOG_CALL)),
        _option("Priority and status…", ticket_value(ticket_id, seen, TRIAGE)),
    ]}


def build_log_call_modal(ticket_id: int, seen: Seen, reference: str, contact_name: str) -> dict[str, Any]:
    """With whom (the contact's name to start with), summary, outcome, and "counts as first response"."""
    whom = {"type": "plain_text_input", "action_id": WHOM, "max_length": WHOM_CHARS}
    if contact_name:
        whom["initial_value"] = contact_name[:WHOM_CHARS]
    counts = {"type": "checkboxes", "action_id": FIRST_RESPONSE, "options": [{
        "text": _plain("Counts as first response"), "value": "yes",
        "description": _plain("Stops the SLA clock, as a reply to the customer does.")}]}
    return _modal(LOG_CALL_MODAL, "Log call", "Log", ticket_id, seen, [
        _context(f"A phone call on *{fit(reference, 40)}*: it goes on the record and in the thread."),
        _input(WHOM, "With whom", whom),
        _input(SUMMARY, "Summary", {"type": "plain_text_input", "action_id": SUMMARY, "multiline": True,
                                    "max_length": SUMMARY_CHARS}),
        _input(OUTCOME, "Outcome", {"type": "static_select", "action_id": OUTCOME,
                                    "options": [_option(label, key) for key, label in OUTCOMES.items()]}),
        _input(FIRST_RESPONSE, "SLA", counts, optional=True),
    ])


def build_triage_modal(ticket_id: int, seen: Seen, reference: str) -> dict[str, Any]:
    """Two selects, starting at the ticket's priority and status."""
    priority = {"type": "static_select", "action_id": PRIORITY_CHOICE,
                "options": [_option(label, key) for key, label in PRIORITIES.items()]}
    if seen.priority in PRIORITIES:
        priority["initial_option"] = _option(PRIORITIES[seen.priority], seen.priority)
    status = {"type": "static_select", "action_id": STATUS_CHOICE,
              "options": [_option(label, key) for key, label in STATUSES.items()]}
    if seen.status in STATUSES:
        status["initial_option"] = _option(STATUSES[seen.status], seen.status)
    return _modal(TRIAGE_MODAL, "Priority and status", "Save", ticket_id, seen, [
        _context(f"*{fit(reference, 40)}* — closing asks you to confirm, as ✅ does."),
        _input(PRIORITY_CHOICE, "Priority", priority),
        _input(STATUS_CHOICE, "Status", status, optional=True),
    ])


def parse_call(view: dict[str, Any]) -> PhoneCall:
    values = _values(view)
    chosen = (values.get(FIRST_RESPONSE, {}).get(FIRST_RESPONSE) or {}).get("selected_options") or []
    return PhoneCall(whom=_text(values, WHOM), summary=_text(values, SUMMARY),
                     outcome=((values.get(OUTCOME, {}).get(OUTCOME) or {}).get("selected_option") or {}).get("value", ""),
                     first_response=any(o.get("value") == "yes" for o in chosen))


def parse_triage(view: dict[str, Any]) -> tuple[str | None, str | None]:
    """(priority, status) chosen in the triage modal."""
    values = _values(view)
    pick = lambda key: ((values.get(key, {}).get(key) or {}).get("selected_option") or {}).get("value")  # noqa: E731
    return pick(PRIORITY_CHOICE), pick(STATUS_CHOICE)


def _values(view: dict[str, Any]) -> dict[str, Any]:
    return (view.get("state") or {}).get("values") or {}


def _text(values: dict[str, Any], key: str) -> str:
    return (values.get(key, {}).get(key) or {}).get("value") or ""


def _modal(callback_id: str, title: str, submit: str, ticket_id: int, seen: Seen, blocks: list) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "private_metadata": ticket_value(ticket_id, seen),
            "title": _plain(title), "submit": _plain(submit), "close": _plain("Cancel"), "blocks": blocks}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _plain(label), "value": value}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75], "emoji": True}
