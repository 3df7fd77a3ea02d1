"""Who is on call: rota parsing (dated and weekly), precedence over shifts and user groups, escalation order."""

from __future__ import annotations

from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bot.desk.oncall import OncallError, next_escalation, on_call, parse_rota, rota_on_call
from storage.models import Agent, OncallShift
from tests.jobs.test_sla_monitor import local

TZ = ZoneInfo("Europe/Stockholm")


def rota(*entries):
    return parse_rota([SimpleNamespace(who=who, start=start, end=end) for who, start, end in entries], TZ)


WEEK = rota(("agnes@v.se", "monday", "wednesday"), ("bo@v.se", "torsdag", "fre 16:00"),
            ("cecilia@v.se", "friday 16:00", "monday 00:00"))


@pytest.mark.parametrize(("at", "who"), [
    (local(2026, 5, 11, 0, 0), "agnes@v.se"),      # Monday 00:00: the day starts the shift
    (local(2026, 5, 13, 23, 59), "agnes@v.se"),    # a bare end weekday includes that day
    (local(2026, 5, 14, 0, 0), "bo@v.se"),         # Swedish names and short forms
    (local(2026, 5, 15, 15, 59), "bo@v.se"),
    (local(2026, 5, 15, 16, 0), "cecilia@v.se"),   # end is exclusive, the next shift starts
    (local(2026, 5, 17, 23, 59), "cecilia@v.se"),  # wraps past Sunday
    (local(2026, 5, 25, 10, 0), "agnes@v.se"),     # and repeats every week
    (local(2026, 3, 29, 3, 30), "cecilia@v.se"),   # the DST night: wall-clock times
    (local(2026, 10, 26, 0, 30), "agnes@v.se"),
])
def test_weekly_rota(at, who):
    assert rota_on_call(WEEK, at, TZ) == who


def test_dated_entries_win_over_weekly_ones_and_whole_days_are_inclusive():
    rules = rota(("agnes@v.se", "monday", "sunday"), ("bo@v.se", "2026-05-13", "2026-05-14"),
                 ("cecilia@v.se", "2026-05-18T08:00", "2026-05-18T17:00+02:00"))
    assert rota_on_call(rules, local(2026, 5, 14, 23, 0), TZ) == "bo@v.se"
    assert rota_on_call(rules, local(2026, 5, 15, 0, 0), TZ) == "agnes@v.se"
    assert rota_on_call(rules, local(2026, 5, 18, 8, 0), TZ) == "cecilia@v.se"
    assert rota_on_call(rules, local(2026, 5, 18, 17, 0), TZ) == "agnes@v.se"


def test_a_weekly_entry_from_and_to_the_same_time_is_the_whole_week():
    assert rota_on_call(rota(("a@v.se", "monday 09:00", "monday 09:00")), local(2026, 5, 16, 3, 0), TZ) == "a@v.se"


@pytest.mark.parametrize(("start", "end", "message"), [
    ("mondag", "friday", "oncall.rota[0].start: 'mondag' is not a date or a weekday name"),
    ("monday", "2026-05-01", "oncall.rota[0]: start and end must both be dates or both be weekday names"),
    ("2026-05-10", "2026-05-01", "oncall.rota[0]: end '2026-05-01' is not after start '2026-05-10'"),
    ("monday 25:00", "friday", "oncall.rota[0].start: '25:00' is not a time of day"),
    ("next week", "2026-05-20", "oncall.rota[0].start: 'next week' is not a date, an ISO time or a weekday name"),
])
def test_bad_entries_are_named(start, end, message):
    with pytest.raises(OncallError) as caught:
        rota(("a@v.se", start, end))
    assert str(caught.value) == message


def test_precedence_shift_then_rota_then_user_group_then_nobody(session_factory):
    rules = rota(("agnes@v.se", "monday", "friday"))
    with session_factory() as session:
        agnes = Agent(email="agnes@v.se", name="Agnes", slack_user_id="U0AGNES", created_at=local(2026, 1, 1, 0, 0))
        bo = Agent(email="bo@v.se", name="Bo", created_at=local(2026, 1, 1, 0, 0))
        session.add_all([agnes, bo])
        session.flush()
        session.add_all([OncallShift(agent_id=bo.id, starts_at=local(2026, 5, 13, 8, 0), ends_at=local(2026, 5, 13, 17, 0)),
                         OncallShift(agent_id=agnes.id, starts_at=local(2026, 5, 13, 12, 0),
                                     ends_at=local(2026, 5, 13, 13, 0))])
        session.commit()
        assert on_call(session, rules, "S0JOUR", local(2026, 5, 13, 9, 0), TZ).email == "bo@v.se"
        later = on_call(session, rules, "S0JOUR", local(2026, 5, 13, 12, 30), TZ)  # the later shift wins
        assert (later.source, later.target()) == ("shift", {"user": "U0AGNES"})
        by_mail = on_call(session, rota(("bo@v.se", "monday", "friday")), "", local(2026, 5, 14, 9, 0), TZ)
        assert (by_mail.source, by_mail.target()) == ("rota", {"email": "bo@v.se"})  # no Slack id yet
        group = on_call(session, rules, "S0JOUR", local(2026, 5, 16, 9, 0), TZ)
        assert (group.source, group.target()) == ("usergroup", {"usergroup": "S0JOUR"})
        nobody = on_call(session, rules, "", local(2026, 5, 16, 9, 0), TZ)
        assert (nobody.source, nobody.target(), nobody.describe()) == ("nobody", None, "nobody")


def test_escalation_skips_who_was_alerted_and_who_clicks():
    order = ["bo@v.se", "cecilia@v.se", "dan@v.se"]
    assert next_escalation(order, [], "agnes@v.se") == "bo@v.se"
    assert next_escalation(order, ["BO@v.se"], "cecilia@v.se") == "dan@v.se"
    assert next_escalation(order, ["bo@v.se", "dan@v.se"], "cecilia@v.se") is None
