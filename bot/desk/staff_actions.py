"""Staff actions on tickets and inquiries: one transaction each, with their outbox rows.

Every action checks what the agent's card showed against the ticket now: a click
whose action rests on a field that changed since (bot/domain/stale_clicks.py)
changes nothing, refreshes the card and says what changed; a change it does not
rest on (the customer wrote meanwhile) lets it through. Claiming is a
compare-and-set under the ticket's row lock, so of two agents clicking at once
exactly one wins. Each change bumps the revision, queues the card update and an
audit line in the card's thread, and — where the customer should know — a
templated mail, all in the same commit. The first action on a ticket stops its
first-response clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from bot.domain.mail.salutations import agent_words
from bot.domain.stale_clicks import Seen, stale_field
from bot.desk.sla_target import recompute_first_response
from bot.desk.customer_mail import mail_customer, recipient
from bot.desk.calls import PhoneCall
from bot.desk.open_ticket import open_ticket
from bot.desk.reply_files import sent_with_files
from bot.desk.slack_answers import answer_ticket
from bot.domain.tickets import MAIL_ON_STATUS, STATUS_WORDS, Status
from storage.models import Agent, Contact, Inquiry, Ticket, TicketParticipant
from storage.repositories import directory, events, messages, slack_queue, tickets

@dataclass(frozen=True)
class ActionResult:
    ok: bool
    message: str = ""  # shown to the agent (ephemeral) when there is something to say
    stale: bool = False
    holder_slack_id: str | None = None  # who holds the ticket, when a claim lost


class Desk:
    """The actions agents take; Slack listeners translate clicks into these calls."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, calendar, clock: Callable[[], datetime]):
        self._sessions = sessions
        self._settings = settings
        self._calendar = calendar
        self._clock = clock

    # -- tickets -------------------------------------------------------------------------

    # ``seen``: what the agent's card or form showed (a bare revision from callers that know only that).
    def claim(self, ticket_id: int, agent_id: int, seen: Seen | int) -> ActionResult:
        """Assign the ticket to the agent unless someone holds it (compare-and-set)."""
        def change(session, ticket, agent, now):
            ticket.assignee_id = agent_id
            self._first_action(session, ticket, agent, now)
            events.record_event(session, ticket, "claimed", now, actor="agent", agent_id=agent_id)
            return "👀", "claimed"
        return self._change(ticket_id, agent_id, seen, change, "claim")

    def unassign(self, ticket_id: int, agent_id: int, seen: Seen | int) -> ActionResult:
        """Give the ticket back to the queue."""
        def change(session, ticket, agent, now):
            ticket.assignee_id = None
            events.record_event(session, ticket, "unassigned", now, actor="agent", agent_id=agent_id)
            return "↩️", "unassigned"
        return self._change(ticket_id, agent_id, seen, change, "unassign")

    def escalate(self, ticket_id: int, agent_id: int, seen: Seen | int, line: int) -> ActionResult:
        """Move the ticket to line 1, 2 or 3; the customer hears when it goes up."""
        if line not in (1, 2, 3):
            return ActionResult(False, f"There is no line {line}.")

        def change(session, ticket, agent, now):
            old, ticket.line = ticket.line, line
            self._first_action(session, ticket, agent, now)
            events.record_event(session, ticket, "escalated", now, actor="agent", agent_id=agent_id, old=old, new=line)
            if line > old:
                self._mail_customer(session, ticket, now, "status_escalated", {"line": line})
            return ("⬆️", f"escalated to line {line}") if line > old else ("⬇️", f"moved back to line {line}")
        return self._change(ticket_id, agent_id, seen, change, "escalate")

    def set_priority(self, ticket_id: int, agent_id: int, seen: Seen | int, priority: str) -> ActionResult:
        """Set the priority (prioritising is handling: it stops the first-response clock)."""
        if priority not in ("low", "normal", "high", "urgent"):
            return ActionResult(False, f"Unknown priority {priority!r}.")

        def change(session, ticket, agent, now):
            old, ticket.priority = ticket.priority, priority
            # The new priority's budget, from creation, before this action stops the clock:
            # met or missed is judged against the target the case now has.
            recompute_first_response(ticket, self._settings, self._calendar)
            self._first_action(session, ticket, agent, now)
            events.record_event(session, ticket, "priority_set", now, actor="agent", agent_id=agent_id, old=old,
                                new=priority)
            return "🏷️", f"priority {priority}"
        return self._change(ticket_id, agent_id, seen, change, "set_priority")

    def set_status(self, ticket_id: int, agent_id: int, seen: Seen | int, status: str) -> ActionResult:
        """Waiting on customer, closure requested or closed; the customer is told.

        Closure requested mails a signed one-click confirmation link; closing
        sends the survey invitation (once per ticket).
        """
        from bot.domain.signing import closure_link  # local: only this action signs links
        from bot.desk.survey import invite

        if status not in MAIL_ON_STATUS:
            return ActionResult(False, f"Unknown status {status!r}.")

        def change(session, ticket, agent, now):
            old, ticket.status = ticket.status, status
            ticket.closed_at = now if status == Status.CLOSED else None
            extra = {}
            if status == Status.CLOSURE_REQUESTED:
                ticket.closure_requested_at = now
                extra = {"confirm_url": closure_link(self._settings, ticket.id, now)}
            events.record_event(session, ticket, "status_changed", now, actor="agent", agent_id=agent_id, old=old,
                                new=status)
            if MAIL_ON_STATUS[status]:
                self._mail_customer(session, ticket, now, MAIL_ON_STATUS[status], extra)
            if status == Status.CLOSED and old != Status.CLOSED:
                invite(session, self._settings, ticket, now)
            return "🔖", f"status → {STATUS_WORDS[status]}"
        return self._change(ticket_id, agent_id, seen, change, "set_status")

    def reply(self, ticket_id: int, agent_id: int, seen: Seen | int, text: str,
              files: Sequence[dict] = ()) -> ActionResult:
        """Send the agent's text to the customer, with ``files`` (stored: sha256, filename, content_type,
        size) attached; the ticket then waits on the customer.

        The agent_reply template greets the customer and signs off with the
        agent's name; a greeting or sign-off the agent typed is taken off first
        (:func:`agent_words`), so the mail carries each exactly once.
        """
        text = agent_words(text)
        if not text:
            return ActionResult(False, "The reply is empty.")

        def change(session, ticket, agent, now):
            self._first_action(session, ticket, agent, now)
            ticket.status = Status.WAITING_ON_CUSTOMER
            events.record_event(session, ticket, "agent_replied", now, actor="agent", agent_id=agent_id,
                                **({"files": [f["filename"] for f in files]} if files else {}))
            self._mail_customer(session, ticket, now, "agent_reply",
                                {"body": text, "agent_name": agent.name or agent.email},
                                agent=agent, audit=("📤", sent_with_files(files)), attachments=list(files))
            return None  # the audit line follows once the SMTP server accepted the mail
        return self._change(ticket_id, agent_id, seen, change, "reply")

    def log_call(self, ticket_id: int, agent_id: int, seen: Seen | int, call: PhoneCall) -> ActionResult:
        """A phone call on the record (bot/desk/calls.py): an event, an audit line; when it counts as the first
        response, it stops the SLA clock as a reply does."""
        def change(session, ticket, agent, now):
            if call.first_response:
                self._first_action(session, ticket, agent, now)
            events.record_event(session, ticket, "call_logged", now, actor="agent", agent_id=agent_id, **call.as_data())
            return "📞", call.audit_text()
        return self._change(ticket_id, agent_id, seen, change, "log_call")

    def request_information(self, ticket_id: int, agent_id: int, seen: Seen | int, needed: str) -> ActionResult:
        """Ask the customer for something; the ticket waits on the customer."""
        if not needed.strip():
            return ActionResult(False, "Say what information is needed.")

        def change(session, ticket, agent, now):
            self._first_action(session, ticket, agent, now)
            ticket.status = Status.WAITING_ON_CUSTOMER
            events.record_event(session, ticket, "information_requested", now, actor="agent", agent_id=agent_id)
            self._mail_customer(session, ticket, now, "status_waiting", {"needed": needed}, agent=agent,
                                audit=("❓", "information requested"))
            return None
        return self._change(ticket_id, agent_id, seen, change, "request_information")

    # -- inquiries -------------------------------------------------------------------------

    def open_inquiry(self, inquiry_id: int, agent_id: int) -> ActionResult:
        """"Open as ticket anyway": the ticket, the customer's receipt, the card."""
        with self._sessions() as session:
            now = self._clock()
            inquiry = session.get(Inquiry, inquiry_id, with_for_update=True)
            if inquiry is None or inquiry.status != "waiting":
                return ActionResult(False, "This inquiry has already been handled.")
            contact = session.get(Contact, inquiry.contact_id) if inquiry.contact_id else None
            language = contact.language if contact else self._settings.desk.default_language
            ticket = open_ticket(
                session, self._settings, self._calendar, now, subject=inquiry.subject or "", origin=inquiry.channel,
                contact=contact, language=language,
                participants=tuple(filter(None, [inquiry.sender_email])),
            )
            if inquiry.channel == "slack" and inquiry.slack_key:
                # Chat inquiries are keyed slack:<channel>:<ts>: replies in that thread now belong to the ticket.
                _, ticket.customer_channel, ticket.customer_thread_ts = inquiry.slack_key.split(":", 2)
            messages.append_message(session, ticket, direction="inbound", channel=inquiry.channel,
                                    author_email=inquiry.sender_email, author_name=inquiry.sender_name,
                                    message_id=None, text=inquiry.text, stripped_text=inquiry.text, created_at=now)
            inquiry.status, inquiry.ticket_id = "opened", ticket.id
            inquiry.handled_by_agent_id, inquiry.handled_at = agent_id, now
            agent = session.get(Agent, agent_id)
            events.record_event(session, ticket, "opened_from_inquiry", now, actor="agent", agent_id=agent_id,
                                inquiry=inquiry_id)
            self._mail_customer(session, ticket, now, "case_received", {})
            slack_queue.queue_card(session, ticket, now)
            self._audit(session, ticket, now, ("📥", "opened from an inquiry"), agent)
            slack_queue.queue_inquiry_notice(session, inquiry_id, now)
            session.commit()
            return ActionResult(True, f"Opened {ticket.reference}.")

    def dismiss_inquiry(self, inquiry_id: int, agent_id: int) -> ActionResult:
        """Nothing to do: the portal answer stands."""
        with self._sessions() as session:
            now = self._clock()
            inquiry = session.get(Inquiry, inquiry_id, with_for_update=True)
            if inquiry is None or inquiry.status != "waiting":
                return ActionResult(False, "This inquiry has already been handled.")
            inquiry.status, inquiry.handled_by_agent_id, inquiry.handled_at = "dismissed", agent_id, now
            slack_queue.queue_inquiry_notice(session, inquiry_id, now)
            session.commit()
            return ActionResult(True)

    # -- agents ------------------------------------------------------------------------------

    def agent_by_slack_user(self, slack_user_id: str) -> Agent | None:
        """The active agent linked to this Slack user."""
        with self._sessions() as session:
            return directory.find_agent_by_slack_user(session, slack_user_id)

    def link_agent(self, slack_user_id: str, email: str) -> Agent | None:
        """Link a Slack user to the active agent with this e-mail address (Slack users map by e-mail)."""
        with self._sessions() as session:
            agent = directory.find_agent_by_email(session, email)
            if agent is None:
                return None
            if agent.slack_user_id != slack_user_id:
                agent.slack_user_id = slack_user_id
                session.commit()
            return agent

    # -- the shared shape of a change ---------------------------------------------------------

    def _change(self, ticket_id: int, agent_id: int, seen: Seen | int, change, action: str) -> ActionResult:
        with self._sessions() as session:
            now = self._clock()
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            if ticket is None:
                return ActionResult(False, "This ticket no longer exists.")
            if action == "claim" and ticket.assignee_id is not None:
                return self._held(session, ticket)
            changed = stale_field(action, seen, Seen.of(ticket))
            if changed:
                return self._stale(session, ticket, changed)
            agent = session.get(Agent, agent_id)
            audit = change(session, ticket, agent, now)
            tickets.touch(ticket, now)
            self._announce(session, ticket, now, audit, agent)
            session.commit()
            return ActionResult(True)

    def _held(self, session: Session, ticket: Ticket) -> ActionResult:
        """A claim that lost: someone holds the ticket (the card is refreshed to show who)."""
        slack_queue.queue_card(session, ticket, self._clock(), refresh=True)
        session.commit()
        holder = session.get(Agent, ticket.assignee_id)
        return ActionResult(False, f"Already claimed by {self._name(holder)}.",
                            holder_slack_id=holder.slack_user_id if holder else None)

    def _stale(self, session: Session, ticket: Ticket, changed: str) -> ActionResult:
        """A click that conflicts with a change since its card was drawn: refresh the card, say what changed."""
        slack_queue.queue_card(session, ticket, self._clock(), refresh=True)  # show the agent what is true now
        session.commit()
        what = self._what_changed(session, ticket, changed)
        return ActionResult(False, f"This card was out of date{f' ({what})' if what else ''}; it has been "
                                   "refreshed. Please check and try again.", stale=True)

    def _what_changed(self, session: Session, ticket: Ticket, changed: str) -> str:
        if changed == "assignee":
            holder = session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
            return f"{self._name(holder)} holds it now" if holder else "nobody holds it now"
        return {"status": f"the status is now {STATUS_WORDS[ticket.status]}",
                "closed": "it has been closed" if ticket.status == Status.CLOSED else "it has been reopened",
                "line": f"it is on line {ticket.line} now", "priority": f"the priority is now {ticket.priority}",
                }.get(changed, "")

    def _announce(self, session: Session, ticket: Ticket, now: datetime, audit: tuple[str, str] | None,
                  agent: Agent | None) -> None:
        slack_queue.queue_card(session, ticket, now)
        if audit:
            self._audit(session, ticket, now, audit, agent)

    def _audit(self, session: Session, ticket: Ticket, now: datetime, audit: tuple[str, str], agent: Agent | None) -> None:
        icon, verb = audit
        slack_id = agent.slack_user_id if agent else None
        text = verb if slack_id else f"{verb} by {self._name(agent)}"
        slack_queue.queue_audit(session, ticket, now, text, actor_slack_id=slack_id, icon=icon)

    def _first_action(self, session: Session, ticket: Ticket, agent: Agent | None, now: datetime) -> None:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            ticket.sla_next_check_at = None  # the SLA monitor has nothing left to watch
            events.record_event(session, ticket, "first_response", now, actor="agent",
                                agent_id=agent.id if agent else None)
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN

    def _mail_customer(self, session: Session, ticket: Ticket, now: datetime, template: str, extra: dict, *,
                       agent: Agent | None = None, audit: str | None = None, attachments: list | None = None) -> None:
        if ticket.customer_channel and ticket.customer_thread_ts:  # came from a customer channel: answered there
            answer_ticket(session, self._settings, now, ticket, template, extra, agent=agent,
                          audit=self._audit_payload(audit, agent) if audit else None)
            return
        to = recipient(session, ticket)
        if to is None:
            return
        mail_customer(session, self._settings, now, template, to, ticket=ticket, context=extra,
                      automatic=template != "agent_reply", agent_id=agent.id if agent else None,
                      audit=self._audit_payload(audit, agent) if audit else None, attachments=attachments)

    def _audit_payload(self, audit: tuple[str, str], agent: Agent | None) -> dict:
        icon, verb = audit
        slack_id = agent.slack_user_id if agent else None
        return {"icon": icon, "text": verb if slack_id else f"{verb} by {self._name(agent)}", "actor_slack_id": slack_id}

    @staticmethod
    def _name(agent: Agent | None) -> str:
        if agent is None:
            return "someone"
        return agent.name or agent.email  # Slack mentions are built by the audit builder, never from text
