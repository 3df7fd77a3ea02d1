"""What the desk did, read back from the database: the demo's closing summary."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import AutoreplyLog, Inquiry, OutboxRow, RawMessage, Ticket


def summary_lines(sessions: sessionmaker[Session]) -> list[str]:
    """Tickets, inquiries, mails sent (by template), autoreplies, ignored and quarantined mail."""
    with sessions() as session:
        # The imported history is the demo's past, not its run: counted on its own line.
        tickets = session.execute(select(Ticket.reference, Ticket.status).where(Ticket.external_reference.is_(None))
                                  .order_by(Ticket.id)).all()
        inquiries = Counter(session.execute(select(Inquiry.kind)).scalars())
        sent = Counter(row.payload["template"] for row in session.execute(
            select(OutboxRow).where(OutboxRow.kind == "email", OutboxRow.state == "sent")).scalars())
        autoreplies = Counter(session.execute(select(AutoreplyLog.template)).scalars())
        ignored = Counter(session.execute(select(RawMessage.reason).where(RawMessage.state == "dropped")).scalars())
        quarantined = session.execute(select(func.count(RawMessage.id))
                                      .where(RawMessage.state == "quarantined")).scalar_one()
    return [
        "Summary",
        _line("tickets", len(tickets), ", ".join(f"{ref} {status}" for ref, status in tickets)),
        _line("inquiries", sum(inquiries.values()), _counts(inquiries)),
        _line("mails sent", sum(sent.values()), _counts(sent)),
        _line("autoreplies", sum(autoreplies.values()), _counts(autoreplies)),
        _line("ignored", sum(ignored.values()), "; ".join(f"{reason}" for reason in ignored)),
        _line("quarantined", quarantined, ""),
    ]


def _counts(counter: Counter) -> str:
    return ", ".join(f"{key} {number}" for key, number in sorted(counter.items()))


def _line(label: str, number: int, detail: str) -> str:
    return f"  {label:<12} {number:>3}" + (f"  ({detail})" if detail else "")
