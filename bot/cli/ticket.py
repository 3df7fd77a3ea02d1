"""`supportbot ticket …`: tickets from the command line (import, search and similar live in ticket_memory.py)."""

from __future__ import annotations

import click


@click.group()
def ticket() -> None:
    """Tickets: import history, search, similar solved cases."""
