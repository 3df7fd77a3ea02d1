"""``/support search``'s read model: the best-matching tickets and links to their cards."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.desk.memory import Case, search
from storage.models import Ticket


@dataclass(frozen=True)
class SearchResult:
    cases: list[Case]
    card_links: dict[str, str]  # reference → https://slack.com/archives/… for cases that have a card


def search_tickets(session: Session, words: str, *, limit: int = 10) -> SearchResult:
    """Tickets of any status matching ``words``, best first, with their cards' links."""
    cases = search(session, words, limit=limit)
    rows = session.execute(select(Ticket.reference, Ticket.slack_channel, Ticket.slack_card_ts).where(
        Ticket.id.in_([case.ticket_id for case in cases]), Ticket.slack_card_ts.is_not(None))).all() if cases else []
    return SearchResult(cases, {row.reference: card_link(row.slack_channel, row.slack_card_ts) for row in rows})


def card_link(channel: str | None, ts: str | None) -> str:
    """A link to a card without asking Slack for a permalink (slack.com redirects into the workspace); "" without one."""
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}" if channel and ts else ""
