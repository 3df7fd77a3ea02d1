"""Which changes since a card was drawn make a click on it stale: a table of action × change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.stale_clicks import PREMISES, Seen, stale_field

DRAWN = Seen(revision=4, assignee_id=None, status="open", line=1, priority="normal")

# A change made since the card was drawn (each also moved the revision on).
CHANGES = {
    "the customer wrote": {},
    "someone claimed it": {"assignee_id": 7},
    "the status moved": {"status": "waiting_on_customer"},
    "it was closed": {"status": "closed"},
    "it was escalated": {"line": 2},
    "the priority moved": {"priority": "urgent"},
}

# action → the changes it conflicts with (every other change lets it through).
CONFLICTS = {
    "claim": {"it was closed": "closed"},
    "unassign": {"someone claimed it": "assignee", "it was closed": "closed"},
    "escalate": {"it was escalated": "line", "it was closed": "closed"},
    "set_priority": {"the priority moved": "priority", "it was closed": "closed"},
    "set_status": {"the status moved": "status", "it was closed": "status"},
    "reply": {"the status moved": "status", "it was closed": "status"},
    "request_information": {"the status moved": "status", "it was closed": "status"},
    "log_call": {"it was closed": "closed"},
}


def test_every_action_has_its_premises_in_the_table():
    assert set(CONFLICTS) == set(PREMISES)


@pytest.mark.parametrize("action", sorted(CONFLICTS))
@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_click_is_stale_only_when_the_change_conflicts_with_its_action(action, change):
    now = replace(DRAWN, revision=DRAWN.revision + 1, **CHANGES[change])
    assert stale_field(action, DRAWN, now) == CONFLICTS[action].get(change)


def test_a_bare_revision_is_stale_after_any_change():
    now = replace(DRAWN, revision=5)
    assert stale_field("claim", 4, now) == "revision" and stale_field("claim", Seen(4), now) == "revision"
    assert stale_field("claim", 5, now) is None and stale_field("claim", Seen(5), now) is None


def test_seen_reads_a_ticket():
    class Ticket:
        revision, assignee_id, status, line, priority = 9, 3, "new", 3, "low"

    assert Seen.of(Ticket()) == Seen(9, 3, "new", 3, "low") and Seen.of(Ticket()).carries_fields
