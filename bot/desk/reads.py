"""What the Slack listeners read before or instead of acting, as plain data: one call each, no session leaks.

:class:`DeskReads` is bound to the database, the settings, the desk's calendar
and clock (the same calendar the staff actions use, passed in by the Slack
app: the listeners never build or borrow one). Every method is one short
read transaction, run in a thread by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.desk.card_view import CardView, card_view
from bot.desk.home import HomeView, Listing, OnCallView, oncall_now, read_home, ticket_listing
from bot.desk.memory_listing import SearchResult, search_tickets
from bot.domain.mail.salutations import first_name
from bot.domain.stale_clicks import Seen
from storage.models import Contact, Ticket
from storage.repositories import directory, tickets


@dataclass(frozen=True)
class TicketRef:
    """What a listener shows or checks about a ticket; the Desk re-reads everything it changes."""

    id: int
    revision: int
    reference: str
    subject: str
    status: str
    language: str  # the contact's, else the ticket's
    contact_first_name: str
    slack_channel: str | None
    seen: Seen  # the fields staff actions rest on, as read now: what a modal opened now carries
    answered_in_slack: bool = False  # came from a customer channel: replies go to its thread, not by mail

    @property
    def closed(self) -> bool:
        return self.status == "closed"


class DeskReads:
    """The listeners' reads; see the module docstring."""

    def __init__(self, sessions: sessionmaker[Session], settings, calendar, clock: Callable[[], datetime]):
        self._sessions = sessions
        self._settings = settings
        self.calendar = calendar
        self._clock = clock

    def now_local(self) -> datetime:
        """The desk's wall clock (its calendar's time zone)."""
        return self._clock().astimezone(self.calendar.tz)

    def ticket_by_id(self, ticket_id: int) -> TicketRef | None:
        """The ticket with this id."""
        return self._ticket(select(Ticket).where(Ticket.id == ticket_id))

    def ticket_by_card(self, channel: str, ts: str) -> TicketRef | None:
        """The ticket whose card is the message ``ts`` in ``channel`` (a reaction's or a thread's parent)."""
        return self._ticket(select(Ticket).where(Ticket.slack_channel == channel, Ticket.slack_card_ts == ts))

    def card(self, reference: str) -> CardView | None:
        """The card of the ticket ``reference`` as it is now (``/support TC-…``)."""
        with self._sessions() as session:
            ticket = tickets.find_by_reference(session, reference)
            return card_view(session, ticket, self.calendar, self._clock()) if ticket is not None else None

    def home(self, agent_name: str, agent_id: int, notice: str | None) -> HomeView:
        """Everything the agent's App Home shows."""
        return read_home(self._sessions, self._settings, self.calendar, self._clock(), agent_name, agent_id, notice)

    def open_tickets_of(self, agent_id: int, limit: int) -> Listing:
        """The agent's open tickets, oldest first (``/support mine``)."""
        with self._sessions() as session:
            mine = (Ticket.status != "closed") & (Ticket.assignee_id == agent_id)
            return ticket_listing(session, self.calendar, self._clock(), mine, limit=limit)

    def on_call(self) -> OnCallView:
        """Who is on call now."""
        with self._sessions() as session:
            return oncall_now(session, self._settings, self.calendar, self._clock())

    def search(self, words: str, limit: int) -> SearchResult:
        """Tickets of any status matching ``words``, best first."""
        with self._sessions() as session:
            return search_tickets(session, words, limit=limit)

    def full_message(self, message_id: int):
        """The whole stored message with its headers (the "Full message" modal), or None when gone."""
        from bot.desk.full_message import full_message

        return full_message(self._sessions, message_id)

    def now(self) -> datetime:
        """The desk's clock (signed links expire from it)."""
        return self._clock()

    def contact_standing(self, email: str) -> str | None:
        """None when ``email`` is a contact who may open cases; else "unknown" or "not_authorised"."""
        with self._sessions() as session:
            contact = directory.find_contact(session, email) if email else None
        if contact is None:
            return "unknown"
        return None if contact.authorised else "not_authorised"

    def _ticket(self, query) -> TicketRef | None:
        with self._sessions() as session:
            ticket = session.execute(query).scalar_one_or_none()
            if ticket is None:
                return None
            contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
            return TicketRef(
                id=ticket.id, revision=ticket.revision, reference=ticket.reference, subject=ticket.subject,
                status=ticket.status, language=contact.language if contact else ticket.language,
                contact_first_name=first_name(contact.name if contact else None), slack_channel=ticket.slack_channel,
                answered_in_slack=bool(ticket.customer_channel and ticket.customer_thread_ts), seen=Seen.of(ticket),
            )
