"""The first-response target of a ticket after its priority changed."""

from __future__ import annotations

from bot.domain.sla.levels import first_response_times
from bot.desk.open_ticket import first_response_budget
from storage.models import Ticket


def recompute_first_response(ticket: Ticket, settings, calendar) -> bool:
    """A new priority means a new budget, counted from the ticket's creation, while no one has responded.

    Sets the due, warning and next-check instants; the SLA monitor decides from
    them on its next tick (an alert already sent for a level is not sent again).
    Returns whether anything changed.
    """
    if ticket.first_response_at is not None or ticket.first_response_due_at is None:
        return False
    budget = first_response_budget(settings, ticket.priority, ticket.line)
    warn, due = first_response_times(calendar, ticket.created_at, budget, settings.sla.warning_fraction)
    ticket.first_response_warn_at, ticket.first_response_due_at, ticket.sla_next_check_at = warn, due, warn
    return True
