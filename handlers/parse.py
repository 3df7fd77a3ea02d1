"""parse: raw bytes → InboundMessage (stdlib email, policy.default)."""

from __future__ import annotations

from handlers.base import PipelineContext

NAME = "parse"


def handle(ctx: PipelineContext) -> None:
    """Parse the raw mail unless a transport already gave a normalised message."""
    if ctx.message is not None:
        return
    # Imported here: a backlog is parsed in the pool's workers, and a process
    # that never parses need not load the parser and lxml (~70 ms at start).
    from bot.domain.mail.parse import parse_mail

    ctx.message = parse_mail(ctx.raw, attachment_max_bytes=ctx.settings.desk.attachment_max_bytes)
    ctx.message.raw_id = ctx.raw_id
    if ctx.message.defects:
        ctx.decide(f"parsed with defects: {', '.join(sorted(set(ctx.message.defects)))}")
