"""Runs an ordered tuple of named handlers; the only place that catches Discard and Quarantine.

The pipelines are data: reading ``PIPELINES`` tells the whole flow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType

from handlers import deduplicate, parse
from handlers.base import Discard, PipelineContext, Quarantine

log = logging.getLogger("supportbot.pipeline")

HANDLERS: dict[str, ModuleType] = {module.NAME: module for module in (parse, deduplicate)}

PIPELINES: dict[str, tuple[str, ...]] = {
    "email": ("parse", "deduplicate"),
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
