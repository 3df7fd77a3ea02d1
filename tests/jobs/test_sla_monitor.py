"""The SLA monitor: levels at the awkward moments, exactly-once, out of hours, digests, priority changes."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bot.app.config import Settings
from bot.domain.hours.calendar import calendar_from_settings
from bot.jobs.sla_monitor import SlaMonitor
from bot.jobs.sla_notify import NewAlert, email_payload
from bot.desk.staff_actions import Desk
from bot.desk.sla_target import recompute_first_response
from bot.desk.open_ticket import open_ticket
from storage.models import Agent, Contact, Organisation, OutboxRow, SlaAlert, Ticket
from storage.repositories import slack_queue
from storage.repositories.mail_queue import queue_email

STOCKHOLM = ZoneInfo("Europe/Stockholm")
STAFF, ALERTS = "C0STAFF", "C0ALERTS"


def local(*parts) -> datetime:
    """A Stockholm wall-clock instant, as aware UTC (what the code sees)."""
    return datetime(*parts, tzinfo=STOCKHOLM).astimezone(timezone.utc)


class Clock:
    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class World:
    """A desk with agents, an on-call rota and the SLA monitor, on one database."""

    def __init__(self, sessions, **sections):
        base = {
            "slack": {"enabled": True, "staff_channel": STAFF, "alerts_channel": ALERTS, "min_post_interval_s": 0},
            "oncall": {"email": "jour@vendor.example", "escalation": ["bo@vendor.example", "cecilia@vendor.example"],
                       "rota": [{"who": "agnes@vendor.example", "start": "monday", "end": "sunday"}]},
        }
        for name, values in sections.items():
            base[name] = {**base.get(name, {}), **values}
        self.sessions = sessions
        self.settings = Settings.model_validate(base)
        self.calendar = calendar_from_settings(self.settings.hours)
        self.clock = Clock(local(2026, 3, 10, 10, 0))
        self.monitor = SlaMonitor(sessions, self.settings, self.calendar, self.clock)
        self.desk = Desk(sessions, self.settings, self.calendar, self.clock)
        with sessions() as session:
            if session.execute(select(Agent)).first() is None:
                session.add_all([
                    Agent(email="agnes@vendor.example", name="Agnes", slack_user_id="U0AGNES", created_at=self.clock()),
                    Agent(email="bo@vendor.example", name="Bo", slack_user_id="U0BO", line=2, created_at=self.clock()),
                    Agent(email="cecilia@vendor.example", name="Cecilia", line=3, created_at=self.clock()),
                    Contact(organisation=Organisation(number="1001", name="Kommunen AB", created_at=self.clock()),
                            email="asa@kund.se", name="Åsa Andersson", created_at=self.clock()),
                ])
                session.commit()

    def open(self, at: datetime, subject: str = "Exporten stannar", priority: str = "normal", **fields) -> int:
        with self.sessions() as session:
            contact = session.execute(select(Contact)).scalar_one()
            ticket = open_ticket(session, self.settings, self.calendar, at, subject=subject, origin="email",
                                 contact=contact, language="sv", participants=("asa@kund.se",), priority=priority,
                                 **fields)
            if self.settings.slack.enabled:
                slack_queue.queue_card(session, ticket, at)  # as the pipeline's post-card step does
            session.commit()
            return ticket.id

    def tick(self, at: datetime):
        self.clock.at = at
        return self.monitor.tick(at)

    def ticket(self, ticket_id: int) -> Ticket:
        with self.sessions() as session:
            return session.get(Ticket, ticket_id)

    def alerts(self) -> list[tuple[int, str, int]]:
        with self.sessions() as session:
            rows = session.execute(select(SlaAlert.ticket_id, SlaAlert.level, SlaAlert.occurrence)
                                   .order_by(SlaAlert.id)).all()
            return [tuple(row) for row in rows]

    def outbox(self, kind: str | None = None) -> list[OutboxRow]:
        with self.sessions() as session:
            query = select(OutboxRow).order_by(OutboxRow.id)
            if kind:
                query = query.where(OutboxRow.kind == kind)
            return list(session.execute(query).scalars())

    def agent_id(self, email: str) -> int:
        with self.sessions() as session:
            return session.execute(select(Agent.id).where(Agent.email == email)).scalar_one()


@pytest.fixture
def world(session_factory):
    return World(session_factory)


@pytest.fixture
def make_world(session_factory):
    return lambda **sections: World(session_factory, **sections)


def stockholm(at: datetime | None) -> str | None:
    return at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") if at else None


# -- the awkward moments ------------------------------------------------------------------


def test_friday_1550_warns_on_monday_and_closed_ticks_change_nothing(world):
    ticket = world.open(local(2026, 3, 13, 15, 50))  # an ordinary Friday
    assert stockholm(world.ticket(ticket).first_response_warn_at) == "2026-03-16 10:20"
    assert stockholm(world.ticket(ticket).first_response_due_at) == "2026-03-16 10:50"
    for closed in (local(2026, 3, 13, 16, 0), local(2026, 3, 14, 11, 0), local(2026, 3, 16, 8, 59, 59)):
        report = world.tick(closed)
        assert report.closed_desk and report.looked_at == 0
        assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-16 10:20"
    assert world.tick(local(2026, 3, 16, 10, 19, 59)).looked_at == 0
    assert world.tick(local(2026, 3, 16, 10, 20)).alerts == {"warning": 1}
    assert world.alerts() == [(ticket, "warning", 1)]
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-16 10:50"


def test_wednesday_1159_before_ascension_runs_into_the_next_monday(world):
    ticket = world.open(local(2026, 5, 13, 11, 59))  # half day; Thursday is Ascension, Friday a klämdag
    assert stockholm(world.ticket(ticket).first_response_warn_at) == "2026-05-18 10:29"
    assert stockholm(world.ticket(ticket).first_response_due_at) == "2026-05-18 10:59"
    for closed in (local(2026, 5, 13, 12, 0, 30), local(2026, 5, 14, 10, 0), local(2026, 5, 15, 10, 0)):
        assert world.tick(closed).closed_desk
    assert world.tick(local(2026, 5, 18, 10, 29)).alerts == {"warning": 1}
    assert world.tick(local(2026, 5, 18, 10, 59)).alerts == {"breach": 1}


def test_friday_1555_before_a_monday_klamdag_warns_on_wednesday(world):
    # Mon 5 June 2028 lies between a weekend and National Day (Tue 6 June): a klämdag.
    ticket = world.open(local(2028, 6, 2, 15, 55))
    assert stockholm(world.ticket(ticket).first_response_warn_at) == "2028-06-07 10:25"
    assert stockholm(world.ticket(ticket).first_response_due_at) == "2028-06-07 10:55"
    assert world.tick(local(2028, 6, 5, 10, 30)).closed_desk
    assert world.tick(local(2028, 6, 7, 10, 25)).alerts == {"warning": 1}


def test_the_spring_dst_night_costs_no_business_minutes(world):
    ticket = world.open(local(2026, 3, 27, 15, 0))  # Friday; clocks go 02:00 → 03:00 on Sunday the 29th
    warn = world.ticket(ticket).first_response_warn_at
    assert stockholm(warn) == "2026-03-30 09:30" and warn.utcoffset() == timedelta(0)
    assert warn == datetime(2026, 3, 30, 7, 30, tzinfo=timezone.utc)  # summer time: +02:00
    night = datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)  # 03:30 CEST, just after the jump
    assert world.tick(night).closed_desk
    assert world.tick(warn).alerts == {"warning": 1}


def test_the_autumn_dst_night_keeps_reminders_in_business_minutes(world):
    ticket = world.open(local(2026, 10, 23, 13, 0))  # Friday; clocks go 03:00 → 02:00 on Sunday the 25th
    due = world.ticket(ticket).first_response_due_at
    assert stockholm(due) == "2026-10-23 15:00"
    world.tick(due)
    # 60 minutes of Friday left after the breach: reminder 1 at 15:30, 2 at 16:00 is the close,
    # so reminder 2 falls due at the closing instant and is sent when Monday opens.
    assert world.tick(local(2026, 10, 23, 15, 30)).alerts == {"reminder": 1}
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-10-23 16:00"
    assert world.tick(local(2026, 10, 25, 2, 30)).closed_desk
    assert world.tick(local(2026, 10, 26, 9, 0)).alerts == {"reminder": 1}
    assert world.alerts()[-1] == (ticket, "reminder", 2)
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-10-26 09:30"


# -- the sequence ---------------------------------------------------------------------------


def test_warning_then_breach_then_reminders_every_repeat_business_minutes(world):
    ticket = world.open(local(2026, 3, 10, 9, 0))  # Tuesday: warn 10:30, due 11:00
    world.clock.at = local(2026, 3, 10, 10, 29)
    assert not world.monitor.tick()  # no argument: the injected clock; no alert: a false report
    world.clock.at = local(2026, 3, 10, 10, 30)
    warned = world.monitor.tick()
    assert warned.alerts == {"warning": 1} and str(warned).startswith("1 tickets looked at, 1 warning, 0 digests")
    assert world.tick(local(2026, 3, 10, 10, 45)).looked_at == 0  # next look is the due time
    assert world.tick(local(2026, 3, 10, 11, 0)).alerts == {"breach": 1}
    assert world.tick(local(2026, 3, 10, 11, 30)).alerts == {"reminder": 1}
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-10 12:00"
    assert world.tick(local(2026, 3, 10, 12, 30)).closed_desk  # lunch: the clock stands still
    assert world.tick(local(2026, 3, 10, 13, 0)).alerts == {"reminder": 1}  # 12:00 was 60 business min after 11:00
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-10 13:30"  # 30 min after it went out
    assert world.tick(local(2026, 3, 10, 13, 45)).alerts == {"reminder": 1}  # a late tick: the next one, alone
    assert world.alerts() == [(ticket, "warning", 1), (ticket, "breach", 1), (ticket, "reminder", 1),
                              (ticket, "reminder", 2), (ticket, "reminder", 3)]
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-10 14:15"
    kinds = [(row.kind, row.idempotency_key.split(":", 2)[2]) for row in world.outbox()
             if row.idempotency_key.startswith("sla:")]
    assert kinds[:2] == [("slack.card", "card"), ("slack.dm", "dm:user:U0AGNES")]  # warning: DM the on-call agent
    breach = {kind for kind, key in kinds[2:6]}
    assert breach == {"slack.card", "slack.sla_alert", "slack.dm", "email"}  # breach: post, DM, mail, card
    assert len([k for k, _ in kinds if k == "email"]) == 1  # reminders do not mail


def test_a_warning_goes_to_the_assignee_when_someone_holds_the_ticket(world):
    ticket = world.open(local(2026, 3, 10, 9, 0), assignee_id=world.agent_id("bo@vendor.example"))
    world.tick(local(2026, 3, 10, 10, 30))
    [dm] = world.outbox("slack.dm")
    assert dm.payload == {"alert_ids": [1], "to": {"user": "U0BO"}} and dm.ticket_id == ticket


def test_a_first_response_or_a_closed_ticket_stops_the_watch_without_alerts(world):
    answered, closed = world.open(local(2026, 3, 10, 9, 0)), world.open(local(2026, 3, 10, 9, 0))
    agnes = world.agent_id("agnes@vendor.example")
    assert world.desk.claim(answered, agnes, world.ticket(answered).revision).ok
    assert world.ticket(answered).sla_next_check_at is None
    with world.sessions() as session:  # closed by some path that is not a first response
        session.get(Ticket, closed).status = "closed"
        session.commit()
    assert world.tick(local(2026, 3, 10, 11, 0)).looked_at == 1
    assert world.alerts() == [] and world.ticket(closed).sla_next_check_at is None


# -- a monitor that was down, or slow (issue 16) ----------------------------------------------
# The black-box run: registered Friday 15:50 (warning Monday 10:20, due 10:50), the service
# stopped over the breach minute and started Monday 11:50 — no breach, no on-call mail, and
# "reminder 1" and "reminder 2" 3 s apart. A restart is a new SlaMonitor on the same database.


def restart(world) -> None:
    world.monitor = SlaMonitor(world.sessions, world.settings, world.calendar, world.clock)


def breach_rows(world, ticket: int) -> list[str]:
    """Kinds of the outbox rows queued for the ticket's breach alert (its id is in their keys or payload)."""
    with world.sessions() as session:
        [alert_id] = session.execute(select(SlaAlert.id).where(SlaAlert.ticket_id == ticket,
                                                                SlaAlert.level == "breach")).scalars()
    return sorted(row.kind for row in world.outbox() if row.idempotency_key.startswith(f"sla:{alert_id}:"))


def test_down_over_the_breach_minute_the_next_tick_sends_the_breach_once_then_reminders_from_it(world):
    ticket = world.open(local(2026, 3, 13, 15, 50))
    assert world.tick(local(2026, 3, 16, 10, 20)).alerts == {"warning": 1}
    restart(world)
    assert world.tick(local(2026, 3, 16, 11, 49, 57)).alerts == {"breach": 1}
    assert breach_rows(world, ticket) == ["email", "slack.card", "slack.dm", "slack.sla_alert"]
    assert world.tick(local(2026, 3, 16, 11, 50)).looked_at == 0  # here the old monitor sent reminder 2
    assert world.ticket(ticket).sla_next_check_at == local(2026, 3, 16, 13, 19, 57)  # 30 business min, lunch aside
    restart(world)
    assert not world.tick(local(2026, 3, 16, 13, 19, 56))
    assert world.tick(local(2026, 3, 16, 13, 19, 57)).alerts == {"reminder": 1}
    assert world.alerts() == [(ticket, "warning", 1), (ticket, "breach", 1), (ticket, "reminder", 1)]
    assert len(world.outbox("email")) == 1


def test_down_over_both_minutes_the_breach_comes_alone(world):
    ticket = world.open(local(2026, 3, 13, 15, 50))
    assert not world.tick(local(2026, 3, 13, 15, 51))
    restart(world)
    assert world.tick(local(2026, 3, 16, 11, 50)).alerts == {"breach": 1}
    assert world.alerts() == [(ticket, "breach", 1)]  # no stale warning in front of it
    assert breach_rows(world, ticket) == ["email", "slack.card", "slack.dm", "slack.sla_alert"]
    assert [row.kind for row in world.outbox("slack.dm")] == ["slack.dm"]


def test_down_over_the_warning_minute_a_late_warning_goes_out_while_half_its_notice_is_left(world):
    early, late = world.open(local(2026, 3, 13, 15, 36)), world.open(local(2026, 3, 13, 15, 50))
    assert stockholm(world.ticket(early).first_response_due_at) == "2026-03-16 10:36"
    restart(world)
    # 10:35: `late` has 15 of its 30 minutes of notice left, `early` one: warning it is noise.
    assert world.tick(local(2026, 3, 16, 10, 35)).alerts == {"warning": 1}
    assert world.alerts() == [(late, "warning", 1)]
    assert world.ticket(early).sla_next_check_at == world.ticket(early).first_response_due_at
    assert world.tick(local(2026, 3, 16, 10, 36)).alerts == {"breach": 1}
    assert world.tick(local(2026, 3, 16, 10, 50)).alerts == {"breach": 1}
    assert world.alerts() == [(late, "warning", 1), (early, "breach", 1), (late, "breach", 1)]


def test_a_slow_tick_past_several_levels_raises_the_breach_then_paces_the_reminders(world):
    ticket = world.open(local(2026, 3, 10, 9, 0))  # Tuesday: warn 10:30, due 11:00, reminder slots 11:30, 12:00, …
    assert not world.tick(local(2026, 3, 10, 10, 0))
    assert world.tick(local(2026, 3, 10, 11, 45)).alerts == {"breach": 1}  # past the warning, breach, one reminder
    assert world.tick(local(2026, 3, 10, 11, 46)).looked_at == 0
    assert world.tick(local(2026, 3, 10, 13, 15)).alerts == {"reminder": 1}  # 11:45 + 30 business min
    assert world.tick(local(2026, 3, 10, 15, 59)).alerts == {"reminder": 1}  # slow again: one, numbered on
    assert world.tick(local(2026, 3, 11, 9, 28)).looked_at == 0  # 15:59 + 1 min + 29 min of Wednesday
    assert world.tick(local(2026, 3, 11, 9, 29)).alerts == {"reminder": 1}
    assert world.alerts() == [(ticket, "breach", 1), (ticket, "reminder", 1), (ticket, "reminder", 2),
                              (ticket, "reminder", 3)]


def test_a_slow_tick_after_the_warning_raises_the_breach_not_a_reminder(world):
    ticket = world.open(local(2026, 3, 10, 9, 0))
    assert world.tick(local(2026, 3, 10, 10, 30)).alerts == {"warning": 1}
    assert world.tick(local(2026, 3, 10, 14, 0)).alerts == {"breach": 1}  # the old monitor: "reminder 5"
    assert world.tick(local(2026, 3, 10, 14, 30)).alerts == {"reminder": 1}
    assert world.alerts() == [(ticket, "warning", 1), (ticket, "breach", 1), (ticket, "reminder", 1)]


# -- exactly once ------------------------------------------------------------------------


def test_a_restarted_monitor_sends_nothing_new(world):
    world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    before = [(row.kind, row.idempotency_key) for row in world.outbox()]
    restarted = SlaMonitor(world.sessions, world.settings, world.calendar, world.clock)
    assert restarted.tick(local(2026, 3, 10, 11, 0)).looked_at == 0
    assert restarted.tick(local(2026, 3, 10, 11, 5)).looked_at == 0
    assert [(row.kind, row.idempotency_key) for row in world.outbox()] == before


def test_looking_again_at_a_level_already_alerted_queues_nothing(world):
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 11, 0))
    rows = len(world.outbox())
    with world.sessions() as session:  # as if the move-on had been lost: the ticket is due again
        session.get(Ticket, ticket).sla_next_check_at = local(2026, 3, 10, 11, 0)
        session.commit()
    report = world.tick(local(2026, 3, 10, 11, 1))
    assert report.looked_at == 1 and not report.alerts
    assert len(world.outbox()) == rows and world.alerts() == [(ticket, "breach", 1)]


def test_two_monitors_racing_send_each_alert_once(world):
    tickets = [world.open(local(2026, 3, 10, 9, 0)) for _ in range(40)]
    monitors = [SlaMonitor(world.sessions, world.settings, world.calendar, world.clock, batch_size=7)
                for _ in range(2)]
    barrier, reports, errors = threading.Barrier(2), [], []

    def run(monitor):
        try:
            barrier.wait(10)
            reports.append(monitor.tick(local(2026, 3, 10, 11, 0)))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(monitor,)) for monitor in monitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(reports) == 2
    assert sorted(world.alerts()) == [(ticket, "breach", 1) for ticket in tickets]
    assert sum(report.alerts["breach"] for report in reports) == 40
    keys = [row.idempotency_key for row in world.outbox()]
    assert len(keys) == len(set(keys))
    assert len(world.outbox("email")) == 40 and len(world.outbox("slack.card")) == 40 + 40
    # Each replica digests its own share; the minute keys keep it to one digest per destination per minute.
    posts = world.outbox("slack.sla_alert")
    assert sorted(a for row in posts for a in row.payload["alert_ids"]) == list(range(1, 41))


# -- out of hours ---------------------------------------------------------------------------


def test_no_alert_while_closed_unless_configured(make_world, session_factory):
    world = make_world()
    world.open(local(2026, 3, 10, 10, 0))  # due 12:00: the lunch break starts
    assert world.tick(local(2026, 3, 10, 12, 30)).closed_desk
    assert world.alerts() == []
    assert world.tick(local(2026, 3, 10, 13, 0)).alerts == {"breach": 1}


def test_alert_out_of_hours_sends_at_the_closing_instant(make_world):
    world = make_world(sla={"alert_out_of_hours": True})
    ticket = world.open(local(2026, 3, 10, 10, 0))
    assert world.tick(local(2026, 3, 10, 12, 0, 30)).alerts == {"breach": 1}
    # The clock itself still stands still: the first reminder is 30 minutes into the afternoon.
    assert stockholm(world.ticket(ticket).sla_next_check_at) == "2026-03-10 13:30"
    assert world.tick(local(2026, 3, 10, 12, 59)).looked_at == 0


# -- digests -----------------------------------------------------------------------------------


def test_the_morning_after_a_holiday_is_one_digest_per_destination(world):
    during = [local(2026, 5, 14, 10, 0), local(2026, 5, 14, 22, 0), local(2026, 5, 15, 9, 0), local(2026, 5, 16, 12, 0),
              local(2026, 5, 17, 20, 0)]  # Ascension, the klämdag, the weekend
    tickets = [world.open(at) for at in during]
    assert {stockholm(world.ticket(t).first_response_due_at) for t in tickets} == {"2026-05-18 11:00"}
    warned = world.tick(local(2026, 5, 18, 10, 30))
    assert warned.alerts == {"warning": 5} and warned.digests == 1
    [dm] = world.outbox("slack.dm")
    assert dm.idempotency_key == "sla:digest:user:U0AGNES:20260518T0830" and len(dm.payload["alert_ids"]) == 5
    breached = world.tick(local(2026, 5, 18, 11, 0))
    assert breached.alerts == {"breach": 5} and breached.digests == 2
    [post] = world.outbox("slack.sla_alert")
    assert post.payload == {"alert_ids": [6, 7, 8, 9, 10], "oncall": {"user": "U0AGNES"}}
    assert len(world.outbox("email")) == 5 and len(world.outbox("slack.card")) == 5 + 10
    assert len(world.alerts()) == 10  # every alert is recorded, grouped or not


def test_a_second_digest_in_the_same_minute_waits_for_the_next(world):
    first = [world.open(local(2026, 3, 10, 9, 0)) for _ in range(4)]
    second = [world.open(local(2026, 3, 10, 9, 0, 30)) for _ in range(4)]
    world.tick(local(2026, 3, 10, 11, 0))
    world.tick(local(2026, 3, 10, 11, 0, 30))
    posts = world.outbox("slack.sla_alert")
    assert [row.idempotency_key for row in posts] == ["sla:digest:alerts:20260310T1000",
                                                       "sla:digest:alerts:20260310T1001"]
    assert posts[1].next_attempt_at == datetime(2026, 3, 10, 10, 1, tzinfo=timezone.utc)
    # The second four were not warned at 11:00: 30 s before their breach, a warning is noise.
    assert len(world.alerts()) == len(first) + len(second)


def test_up_to_the_threshold_each_alert_is_its_own_message(world):
    for _ in range(3):
        world.open(local(2026, 3, 10, 9, 0))
    assert world.tick(local(2026, 3, 10, 11, 0)).digests == 0
    assert [row.idempotency_key for row in world.outbox("slack.sla_alert")] == ["sla:1:post", "sla:2:post", "sla:3:post"]


def test_the_digest_threshold_is_a_setting(make_world):
    world = make_world(sla={"digest_after": 1})
    for _ in range(2):
        world.open(local(2026, 3, 10, 9, 0))
    assert world.tick(local(2026, 3, 10, 11, 0)).digests == 2  # the alerts channel and on-call's DMs
    [post] = world.outbox("slack.sla_alert")
    assert post.idempotency_key == "sla:digest:alerts:20260310T1000" and len(post.payload["alert_ids"]) == 2


# -- priority changes --------------------------------------------------------------------------


def test_a_priority_change_recomputes_the_target_from_creation(make_world):
    world = make_world(sla={"per_priority": {"urgent": 30, "low": 240}})
    ticket = world.open(local(2026, 3, 10, 9, 0))
    with world.sessions() as session:
        row = session.get(Ticket, ticket)
        row.priority = "urgent"
        assert recompute_first_response(row, world.settings, world.calendar)
        session.commit()
    changed = world.ticket(ticket)
    assert stockholm(changed.first_response_due_at) == "2026-03-10 09:30"
    assert changed.first_response_warn_at == local(2026, 3, 10, 9, 22, 30)
    assert changed.sla_next_check_at == changed.first_response_warn_at
    assert world.tick(local(2026, 3, 10, 9, 31)).alerts == {"breach": 1}


def test_set_priority_judges_the_first_response_against_the_new_target(make_world):
    world = make_world(sla={"per_priority": {"urgent": 30}})
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.clock.at = local(2026, 3, 10, 9, 45)
    assert world.desk.set_priority(ticket, world.agent_id("bo@vendor.example"), 1, "urgent").ok
    changed = world.ticket(ticket)
    assert stockholm(changed.first_response_due_at) == "2026-03-10 09:30"
    assert changed.first_response_at == local(2026, 3, 10, 9, 45) and changed.sla_next_check_at is None
    assert world.tick(local(2026, 3, 10, 11, 0)).looked_at == 0


def test_a_lowered_priority_after_a_warning_does_not_warn_again(make_world):
    world = make_world(sla={"per_priority": {"low": 240}})
    ticket = world.open(local(2026, 3, 10, 9, 0))
    world.tick(local(2026, 3, 10, 10, 30))
    with world.sessions() as session:
        row = session.get(Ticket, ticket)
        row.priority = "low"
        recompute_first_response(row, world.settings, world.calendar)
        session.commit()
    assert stockholm(world.ticket(ticket).first_response_due_at) == "2026-03-10 14:00"
    assert world.tick(local(2026, 3, 10, 13, 30)).looked_at == 1  # warning instant of the new target: sent already
    assert world.alerts() == [(ticket, "warning", 1)]
    assert world.tick(local(2026, 3, 10, 14, 0)).alerts == {"breach": 1}


# -- the query and the shapes -------------------------------------------------------------------


def test_a_tick_is_one_indexed_query_per_batch(world, engine):
    for _ in range(5):
        world.open(local(2026, 3, 10, 9, 0))
    for _ in range(20):
        world.open(local(2026, 3, 10, 10, 50))  # not due yet
    statements = []
    listener = lambda conn, cursor, statement, parameters, *rest: statements.append((statement, parameters))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        report = SlaMonitor(world.sessions, world.settings, world.calendar, world.clock, batch_size=2) \
            .tick(local(2026, 3, 10, 11, 0))
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert report.looked_at == 5
    reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT") and "FROM tickets" in s]
    assert len(reads) == 3  # batches of 2, 2 and 1: the short one ends the tick
    assert all("sla_next_check_at <=" in s for s, _ in reads)
    statement, parameters = reads[0]
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        assert any("ix_tickets_sla_pending" in str(row) for row in plan)
        assert not any("SCAN sla_alerts" in str(row) for row in plan)  # the last alert: an index probe per ticket
    else:
        assert "FOR UPDATE OF tickets SKIP LOCKED" in statement


def test_the_on_call_mail_has_the_shape_queue_email_gives(world, session_factory):
    alert = NewAlert(1, 1, "breach", 1, "TC-2026-00001", "Exporten", "Kommunen AB",
                     local(2026, 3, 10, 11, 0), None, STAFF, "1700000000.000100")
    ours = email_payload(alert, world.settings, local(2026, 3, 10, 11, 5), STOCKHOLM)
    with session_factory() as session:
        queue_email(session, local(2026, 3, 10, 11, 0), domain="example.com", from_address="support@example.com",
                    key="shape", template="sla_alert", lang="sv", to=["jour@vendor.example"], context={})
        theirs = session.execute(select(OutboxRow.payload).where(OutboxRow.idempotency_key == "shape")).scalar_one()
        session.rollback()
    assert set(ours) == set(theirs)
    assert ours["context"]["card_url"] == "https://slack.com/archives/C0STAFF/p1700000000000100"
    assert ours["to"] == ["jour@vendor.example"] and ours["reference"] is None
    assert ours["context"]["due_at"] == "i dag kl. 11:00"
