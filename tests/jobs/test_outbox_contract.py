"""The delivery contract: the worker's kinds come from what the deliverers declare, each kind once."""

from __future__ import annotations

import pytest

from bot.jobs.outbox import by_kind
from bot.mail.deliverer import EmailDeliverer
from bot.slack.deliverers import DELIVERERS, KINDS


class _Card:
    KINDS = {"slack.card": "post"}

    def post(self, row, session):
        return {"posted": row}


def test_by_kind_maps_each_declared_kind_to_its_bound_method():
    card = _Card()
    deliverers = by_kind(card)
    assert list(deliverers) == ["slack.card"]
    assert deliverers["slack.card"]("row", None) == {"posted": "row"}


def test_a_kind_with_two_deliverers_is_a_wiring_error():
    with pytest.raises(ValueError, match="slack.card"):
        by_kind(_Card(), _Card())


def test_every_declared_kind_names_a_method_and_slack_kinds_are_disjoint_from_mail():
    for deliverer in (*DELIVERERS, EmailDeliverer):
        assert all(callable(getattr(deliverer, method, None)) for method in deliverer.KINDS.values()), deliverer
    assert "slack.alert" in KINDS and not KINDS & set(EmailDeliverer.KINDS)
    assert len(KINDS) == sum(len(deliverer.KINDS) for deliverer in DELIVERERS)
