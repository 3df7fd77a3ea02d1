"""Runs an ordered tuple of named handlers; the only place that catches Discard and Quarantine.

The pipelines are data: reading ``PIPELINES`` tells the whole flow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType

from handlers import (
    acknowledge, append_message, apply_portal_rule, deduplicate, discard_loops, match_ticket, notify_staff, parse,
    request_closure, require_sender, slack_bind_thread, slack_match_thread, slack_sender, survey_reply, verify_sender,
)
from handlers.base import Discard, PipelineContext, Quarantine

log = logging.getLogger("supportbot.pipeline")

HANDLERS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (parse, discard_loops, deduplicate, require_sender, match_ticket, verify_sender, survey_reply,
                   apply_portal_rule, append_message, request_closure, acknowledge, notify_staff,
                   slack_sender, slack_match_thread, slack_bind_thread)
}

PIPELINES: dict[str, tuple[str, ...]] = {
    "email": (
        "parse",              # raw bytes → InboundMessage
        "discard-loops",      # own mail, bounces, out-of-office, lists: recorded where they belong, never answered
        "deduplicate",        # a Message-ID already handled
        "require-sender",     # a From that is not exactly one well-formed mailbox names no one: quarantined
        "match-ticket",       # reply token → our Message-IDs → subject reference
        "verify-sender",      # non-participants and DMARC failures are quarantined, never appended
        "survey-reply",       # closed ticket: a lone digit 1–5 answers the survey; past lifecycle.reopen_days, a new case
        "apply-portal-rule",  # no ticket: portal answer + inquiry, unknown-sender answer, or a new ticket
        "append-message",     # onto the ticket; a reply reopens it
        "request-closure",    # "ni kan stänga ärendet" in the fresh text → closure requested
        "acknowledge",        # receipt for a new ticket; out of hours, the next opening time
        "notify-staff",       # the card, the thread post, or the inquiry notice in Slack
    ),
    # A message in a customer's Slack channel (bot/intake/slack_runner.py); every answer is a reply in its thread.
    "slack": (
        "deduplicate",         # channel+ts already on a ticket or an inquiry
        "slack-sender",        # Slack user → contact of the channel's organisation, else an unknown sender
        "slack-match-thread",  # a reply in a ticket's customer thread → that ticket
        "apply-portal-rule",   # no ticket: portal answer + inquiry, unknown-sender answer, or a new ticket
        "slack-bind-thread",   # a ticket opened here keeps this thread for later replies and answers
        "append-message",      # onto the ticket; a reply reopens it
        "request-closure",     # "ni kan stänga ärendet" → closure requested
        "acknowledge",         # receipt for a new ticket; out of hours, the next opening time
        "notify-staff",        # the card, the thread post, or the inquiry notice in the staff channel
    ),
}


@dataclass(frozen=True)
class Outcome:
    """How a message ended: ``processed``, ``discarded`` or ``quarantined``, and why."""

    disposition: str
    reason: str
    decisions: tuple[str, ...]


def run(pipeline: str, ctx: PipelineContext) -> Outcome:
    """Run every step of ``pipeline`` on ``ctx``; unexpected exceptions propagate to the caller."""
    try:
        for name in PIPELINES[pipeline]:
            HANDLERS[name].handle(ctx)
    except Discard as stop:
        outcome = Outcome("discarded", stop.reason, tuple(ctx.decisions))
    except Quarantine as stop:
        outcome = Outcome("quarantined", stop.reason, tuple(ctx.decisions))
    else:
        outcome = Outcome("processed", "; ".join(ctx.decisions) or "no action", tuple(ctx.decisions))
    key = ctx.message.message_id if ctx.message else f"raw#{ctx.raw_id}"
    log.info("%s %s: %s", key, outcome.disposition, outcome.reason)
    return outcome
