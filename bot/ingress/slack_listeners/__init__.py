"""Bolt listeners for the agents' desk, one module per concern; each module's LISTENERS is data.

``LISTENERS`` rows are ``(registrar, key, listener)``: ``registrar`` names the
AsyncApp method (``action``, ``view``, ``event``, ``message_shortcut``), ``key``
its constraint. Every listener acks first, then resolves the agent, then makes
one Desk call; only modals and ephemerals go out directly.
"""

from __future__ import annotations

from bot.ingress.slack_listeners import inquiries, reactions, reply, request_info, ticket_actions

LISTENER_MODULES = (ticket_actions, reply, request_info, reactions, inquiries)


def all_listeners() -> tuple:
    """Every ``(registrar, key, listener)`` row, in registration order."""
    return tuple(row for module in LISTENER_MODULES for row in module.LISTENERS)
