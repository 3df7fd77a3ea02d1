"""The receipt promises the first response the SLA settings give the ticket, not a fixed "two hours"."""

from __future__ import annotations

import pytest

from bot.rendering.email import TemplateRenderer
from tests.handlers.conftest import Desk, mail, make_desk  # noqa: F401 - fixtures


@pytest.mark.parametrize(("sla", "sender", "promised"), [
    ({}, "asa@kund.se", "inom två arbetstimmar"),  # the default budget, 120 business minutes
    ({"first_response_minutes": 240}, "asa@kund.se", "inom fyra arbetstimmar"),
    ({"per_priority": {"normal": 45}}, "john@kund.se", "within 45 business minutes"),
])
def test_the_receipt_promises_the_tickets_first_response_budget(make_desk, sla, sender, promised):
    desk: Desk = make_desk(portal={"new_case_policy": "ticket"}, sla=sla)
    desk.receive(mail(sender=sender))
    [row] = desk.mails()
    assert row.payload["template"] == "case_received"
    assert row.payload["context"]["first_response_promise"] == promised
    receipt = TemplateRenderer.from_settings(desk.settings).render("case_received", row.payload["lang"],
                                                                   row.payload["context"])
    assert promised in receipt.text and promised in receipt.html
    assert ("två arbetstimmar" in receipt.text) == (promised == "inom två arbetstimmar")
