"""The ticket's vocabulary: its statuses and priorities, their words, and the rules between statuses.

The database stores the values (storage/models/tickets.py checks them); Slack shows
the labels; a customer's reply moves a ticket by ``REOPENED_BY_REPLY``, an agent's
status change mails the customer by ``MAIL_ON_STATUS``.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSED = "closed"


class Priority(StrEnum):
    """Lowest first (the order of the Slack menus)."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


STATUSES: tuple[str, ...] = tuple(status.value for status in Status)
PRIORITIES: tuple[str, ...] = tuple(priority.value for priority in Priority)

# How a status reads in a sentence ("status → waiting on customer") and as a label ("Waiting on customer").
STATUS_WORDS = {status: status.value.replace("_", " ") for status in Status}
STATUS_LABELS = {status: words.capitalize() for status, words in STATUS_WORDS.items()}
PRIORITY_LABELS = {priority: priority.value.capitalize() for priority in Priority}

# A customer's reply means the ball is back with the desk.
REOPENED_BY_REPLY = {Status.WAITING_ON_CUSTOMER: Status.OPEN, Status.CLOSURE_REQUESTED: Status.OPEN,
                     Status.CLOSED: Status.OPEN}

# The statuses an agent may set, and the mail template that tells the customer (None: no mail).
MAIL_ON_STATUS = {Status.WAITING_ON_CUSTOMER: None, Status.CLOSURE_REQUESTED: "status_closure_requested",
                  Status.CLOSED: "status_closed", Status.OPEN: None}
# The card's status menu: the statuses an agent sets by hand (open follows from work on the ticket).
AGENT_STATUSES = (Status.WAITING_ON_CUSTOMER, Status.CLOSURE_REQUESTED, Status.CLOSED)
