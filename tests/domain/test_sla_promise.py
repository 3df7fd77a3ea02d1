"""The receipt's promise in words, from the first-response budget the SLA settings give a ticket."""

from __future__ import annotations

import pytest

from bot.domain.sla.promise import first_response_budget, first_response_promise


@pytest.mark.parametrize(("minutes", "sv", "en"), [
    (120, "inom två arbetstimmar", "within two business hours"),
    (60, "inom en arbetstimme", "within one business hour"),
    (240, "inom fyra arbetstimmar", "within four business hours"),
    (30, "inom 30 arbetsminuter", "within 30 business minutes"),
    (90, "inom 90 arbetsminuter", "within 90 business minutes"),
    (900, "inom 15 arbetstimmar", "within 15 business hours"),
])
def test_the_promise_in_words(minutes, sv, en):
    assert (first_response_promise(minutes, "sv"), first_response_promise(minutes, "en")) == (sv, en)
    assert first_response_promise(minutes, "de") == sv  # the desk's language is Swedish


def test_the_budget_per_priority_then_per_line_then_the_default():
    assert first_response_budget(120, {"urgent": 30}, {"2": 240}, "urgent", 2) == 30
    assert first_response_budget(120, {"urgent": 30}, {"2": 240}, "normal", 2) == 240
    assert first_response_budget(120, {"urgent": 30}, {"2": 240}, "normal", 1) == 120
