"""Bolt listeners for the agents' desk, one module per concern; each module's LISTENERS is data.

``LISTENERS`` rows are ``(registrar, key, listener)``: ``registrar`` names the
AsyncApp method (``action``, ``view``, ``event``, ``message_shortcut``,
``command``), ``key`` its constraint. Every listener acks first, then resolves
the agent and parses the value through ``prologue.begin`` (one refusal when either
fails), then makes one Desk call; only modals, ephemerals and the App Home
view go out directly. Customers' messages in their channels
(``customer_messages``) are the exception: they are an intake edge, not an
agent's action, and go to the "slack" pipeline.
"""

from __future__ import annotations

from bot.slack.listeners import (
    card_more,
    customer_messages,
    full_message,
    home,
    inquiries,
    reactions,
    reply,
    request_info,
    sla_alerts,
    support_command,
    cards as ticket_actions,
)

LISTENER_MODULES = (ticket_actions, reply, request_info, reactions, inquiries, customer_messages, home, support_command,
                    sla_alerts, full_message, card_more)


def all_listeners() -> tuple:
    """Every ``(registrar, key, listener)`` row, in registration order."""
    return tuple(row for module in LISTENER_MODULES for row in module.LISTENERS)
