"""Metrics: counters as incremented, database gauges computed on scrape."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.app.metrics import Metrics
from storage.repositories import outbox, tickets
from tests.support.desk_zone import DESK_ZONE


def samples(metrics: Metrics) -> dict[tuple[str, tuple], float]:
    text = metrics.render().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_tickets_by_status_and_the_outbox_are_read_at_scrape_time(session_factory, now):
    with session_factory() as session:
        for status in ("new", "new", "open"):
            tickets.create_ticket(session, desk_zone=DESK_ZONE, subject="x", origin="email", created_at=now, status=status)
        outbox.enqueue(session, "email", "k1", {}, now - timedelta(seconds=90))
        outbox.enqueue(session, "email", "k2", {}, now)
        session.commit()
    metrics = Metrics()
    health = {"intake": {"up": True}, "imap": {"up": False}}
    metrics.bind(session_factory, lambda: now, lambda: health, imap_lag=lambda: 12.5)
    metrics.count_outcomes("email", {"processed": 2, "skipped": 1})
    got = samples(metrics)
    assert got[("supportbot_tickets", (("status", "new"),))] == 2
    assert got[("supportbot_tickets", (("status", "open"),))] == 1
    assert got[("supportbot_tickets", (("status", "closed"),))] == 0
    assert got[("supportbot_outbox_depth", ())] == 2
    assert got[("supportbot_outbox_oldest_age_seconds", ())] == 90
    assert got[("supportbot_database_up", ())] == 1
    assert got[("supportbot_imap_sync_lag_seconds", ())] == 12.5
    assert got[("supportbot_component_up", (("component", "imap"),))] == 0
    assert got[("supportbot_component_restarts_total", (("component", "intake"),))] == 0
    assert got[("supportbot_messages_received_total", (("channel", "email"), ("outcome", "processed")))] == 2
    assert ("supportbot_messages_received_total", (("channel", "email"), ("outcome", "skipped"))) not in got


def test_an_unreachable_database_is_a_gauge_not_a_failed_scrape(tmp_path, now):
    from storage.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'no.db'}")
    metrics = Metrics()
    metrics.bind(make_session_factory(engine), lambda: now)
    got = samples(metrics)
    assert got[("supportbot_database_up", ())] == 0
    assert got[("supportbot_sla_breaches_total", ())] == 0
    engine.dispose()
