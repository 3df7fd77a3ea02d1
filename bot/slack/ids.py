"""Every id Slack hands back to us, and the values our controls carry: the builders emit them, the listeners match.

One module, so a listener and the block that draws its control cannot drift
apart: action ids (buttons, selects, shortcuts), callback ids (modals), block
ids of inputs, the slash command, and the codecs of the JSON values carried
by buttons, select options and a modal's ``private_metadata``. Every value
comes back from Slack as untrusted input: each ``parse_*`` raises ValueError
for anything it did not write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.domain.stale_clicks import Seen
from bot.desk.card_view import LINES, PRIORITIES, STATUSES

# -- the card and its modals ------------------------------------------------------------------
CLAIM, UNASSIGN, REPLY, ESCALATE = "ticket_claim", "ticket_unassign", "ticket_reply", "ticket_escalate"
PRIORITY, STATUS, REQUEST_INFO = "ticket_priority", "ticket_status", "ticket_request_info"
CARD_ACTIONS_BLOCK = "ticket_actions"  # + ".r<revision>": a new block per revision redraws the selects
CLOSE_CONFIRM = "ticket_close_confirm"  # the button on the ✅-reaction confirmation
REPLY_MODAL, REPLY_TEXT, REPLY_CANNED = "reply_modal", "reply_text", "reply_canned"
SEND_TO_CUSTOMER = "send_to_customer"  # message shortcut (slack-manifest.yml names it too)
REQUEST_INFO_MODAL = "request_info_modal"
REQUEST_INFO_NEEDED = "request_info_needed"  # block_id and action_id of the text input

# -- the inquiry notice -----------------------------------------------------------------------
INQUIRY_OPEN, INQUIRY_DISMISS = "inquiry_open", "inquiry_dismiss"

# -- the App Home and /support ----------------------------------------------------------------
HOME_CLAIM, HOME_OPEN_CARD, HOME_REFRESH = "home_claim", "home_open_card", "home_refresh"
HOME_INQUIRY_OPEN = "home_inquiry_open"
SUPPORT_COMMAND = "/support"
NEW_TICKET_MODAL = "support_new_ticket"
NEW_CONTACT, NEW_SUBJECT, NEW_DESCRIPTION, NEW_PRIORITY = "new_contact", "new_subject", "new_description", "new_priority"

# -- SLA alerts -------------------------------------------------------------------------------
SLA_ON_IT, SLA_ESCALATE = "sla_on_it", "sla_escalate"


# -- a ticket control's value -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActionValue:
    """What a clicked element carried: the ticket, what the card showed of it, and a choice for selects."""

    ticket_id: int
    seen: Seen
    choice: str | None = None


# Keys of a value: t ticket, r revision, a assignee id, s status, l line, p priority, v a select's choice.
# One letter each: a select option's value holds at most 150 characters (the longest is ~120).
def ticket_value(ticket_id: int, seen: Seen, choice: str | None = None) -> str:
    """The JSON an element on a card (or a modal's metadata) carries: the ticket and what was shown of it."""
    data: dict[str, Any] = {"t": ticket_id, "r": seen.revision}
    if seen.carries_fields:
        data |= {"a": seen.assignee_id, "s": seen.status, "l": seen.line, "p": seen.priority}
    if choice is not None:
        data["v"] = choice
    return _dump(data)


def parse_ticket_value(value: str) -> ActionValue:
    """The inverse of :func:`ticket_value`; ValueError for anything else (clicks are untrusted input).

    A value without the fields (``{"t", "r"}``, from cards posted before they
    carried them) parses to a bare revision, checked the old way.
    """
    try:
        data = json.loads(value)
        ticket_id, revision, choice = data["t"], data["r"], data.get("v")
        seen = Seen(revision, data["a"], data["s"], data["l"], data["p"]) if "s" in data else Seen(revision)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not a ticket action value: {value[:80]!r}") from exc
    if not (_is_int(ticket_id) and _is_int(revision) and (choice is None or isinstance(choice, str))
            and _plausible(seen)):
        raise ValueError(f"not a ticket action value: {value[:80]!r}")
    return ActionValue(ticket_id, seen, choice)


def _plausible(seen: Seen) -> bool:
    if not seen.carries_fields:
        return True
    return (seen.assignee_id is None or _is_int(seen.assignee_id)) and seen.status in STATUSES \
        and seen.line in LINES and _is_int(seen.line) and seen.priority in PRIORITIES


# -- the reply modal's submission -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReplySubmission:
    """What the reply modal submitted; ``text_block_id`` is where to attach a validation error."""

    ticket_id: int
    seen: Seen
    text: str
    canned_id: str | None
    text_block_id: str


def parse_reply_submission(view: dict[str, Any]) -> ReplySubmission:
    """The ticket, what was shown of it, typed text and chosen canned reply from a ``reply_modal`` submission."""
    meta = parse_ticket_value(view.get("private_metadata") or "")
    text, canned_id, text_block_id = "", None, ""
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        if REPLY_TEXT in actions:
            text, text_block_id = actions[REPLY_TEXT].get("value") or "", block_id
        if REPLY_CANNED in actions:
            canned_id = (actions[REPLY_CANNED].get("selected_option") or {}).get("value")
    return ReplySubmission(meta.ticket_id, meta.seen, text, canned_id, text_block_id)


# -- an inquiry button's value ----------------------------------------------------------------


def inquiry_value(inquiry_id: int) -> str:
    """The JSON the inquiry buttons carry: ``{"i": inquiry_id}``."""
    return _dump({"i": inquiry_id})


def parse_inquiry_value(value: str) -> int:
    """The inquiry id from :func:`inquiry_value`; ValueError otherwise."""
    try:
        inquiry_id = json.loads(value)["i"]
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"not an inquiry action value: {value[:80]!r}") from exc
    if not _is_int(inquiry_id):
        raise ValueError(f"not an inquiry action value: {value[:80]!r}")
    return inquiry_id


# -- an SLA alert button's value --------------------------------------------------------------


def sla_value(source_row: int, ticket_id: int | None = None) -> str:
    """The JSON an SLA alert's button carries: the alert's outbox row, and the ticket for "I'm on it"."""
    return _dump({"row": source_row} if ticket_id is None else {"row": source_row, "t": ticket_id})


def parse_sla_value(value: str) -> dict[str, int]:
    """The button's value back as {"row": …, "t": …}; ValueError for anything else."""
    try:
        data = json.loads(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not an SLA alert value: {value[:80]!r}") from exc
    if not isinstance(data, dict) or not _is_int(data.get("row")) or not all(_is_int(v) for v in data.values()):
        raise ValueError(f"not an SLA alert value: {value[:80]!r}")
    return data


# -- the /support new form's metadata ---------------------------------------------------------


def new_ticket_metadata(channel_id: str) -> str:
    """The ``/support new`` modal's ``private_metadata``: the channel the command was used in."""
    return _dump({"c": channel_id})


def parse_new_ticket_metadata(value: str) -> str | None:
    """The channel from :func:`new_ticket_metadata`; None for anything else."""
    try:
        channel = json.loads(value or "{}").get("c")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) else None


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))


def _is_int(value: Any) -> bool:
    return type(value) is int
