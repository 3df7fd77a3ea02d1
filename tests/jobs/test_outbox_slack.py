"""The Slack desk's outbox: one card per ticket, updated in place; its thread; notices; alerts; safety."""

from __future__ import annotations

import json
import random
import threading
from datetime import timedelta

import pytest

from bot.app.config import Settings
from bot.devtools.slack_standin import SlackStandin
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.staff import SlackDeliverer
from bot.jobs.outbox import by_kind
from bot.jobs.outbox_worker import OutboxWorker
from bot.desk.staff_actions import Desk
from storage.models import Agent, Inquiry, OutboxRow, Ticket
from tests.handlers.conftest import OPEN, mail, make_desk  # noqa: F401

STAFF, ALERTS = "C0STAFF", "C0ALERTS"


class Clock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


@pytest.fixture
def standin():
    with SlackStandin(users={"U0AGNES": {"email": "agnes@vendor.example", "real_name": "Agnes"}}) as server:
        yield server


@pytest.fixture
def slack_desk(make_desk, standin, session_factory):
    """A desk with the Slack side on: the pipeline, the Slack deliverers and the staff actions."""
    desk = make_desk(slack={"enabled": True, "bot_token": standin.token, "api_base_url": standin.base_url,
                            "staff_channel": STAFF, "alerts_channel": ALERTS, "min_post_interval_s": 0},
                     portal={"new_case_policy": "ticket"})
    clock = Clock(OPEN.astimezone(OPEN.tzinfo))
    # As the service builds it: a 429 or 5xx reschedules the row instead of sleeping in the client.
    client = make_sync_web_client(desk.settings.slack, wait_in_client=False)
    deliverer = SlackDeliverer(desk.settings, client, desk.services["calendar"], clock)
    desk.worker = OutboxWorker(session_factory, by_kind(deliverer), clock, worker_id="slack",
                               rng=random.Random(0))
    desk.clock = clock
    desk.staff = Desk(session_factory, desk.settings, desk.services["calendar"], clock)
    with session_factory() as session:
        session.add(Agent(email="agnes@vendor.example", name="Agnes", slack_user_id="U0AGNES", line=1, created_at=OPEN))
        session.add(Agent(email="bo@vendor.example", name="Bo", slack_user_id="U0BO", line=2, created_at=OPEN))
        session.commit()
    return desk


def deliver(desk):
    while desk.worker.run_once():
        pass


def ticket_of(desk) -> Ticket:
    with desk.sessions() as session:
        return session.query(Ticket).one()


def agent(desk, email) -> Agent:
    with desk.sessions() as session:
        return session.query(Agent).filter_by(email=email).one()


def all_strings(value):
    if isinstance(value, str):
        try:
            yield from all_strings(json.loads(value))
        except ValueError:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


def test_card_is_posted_once_then_updated_in_place_with_the_thread_below(slack_desk, standin):
    slack_desk.receive(mail(subject="Exporten stannar", body="Hej!\r\n\r\nExporten stannar på 80 %."))
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    [post] = [c for c in standin.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert post.params["channel"] == STAFF and ticket.slack_card_ts and ticket.slack_channel == STAFF
    assert ticket.reference in post.params["text"]
    assert post.params["metadata"]["event_payload"]["ticket_id"] == ticket.id
    [thread] = [c for c in standin.calls("chat.postMessage") if c.params.get("thread_ts") == ticket.slack_card_ts]
    assert "Exporten stannar på 80 %." in json.dumps(thread.params, ensure_ascii=False)

    slack_desk.receive(mail(subject=f"SV: [{ticket.reference}] Exporten stannar", body="Loggen bifogad."))
    deliver(slack_desk)
    cards = [c for c in standin.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert len(cards) == 1  # never re-posted
    assert [c.params["ts"] for c in standin.calls("chat.update")] == [ticket.slack_card_ts]
    replies = [c for c in standin.calls("chat.postMessage") if c.params.get("thread_ts") == ticket.slack_card_ts]
    assert len(replies) == 2 and "Loggen bifogad." in json.dumps(replies[1].params, ensure_ascii=False)
    assert all(c.params.get("unfurl_links") in (False, "false", "0", 0) for c in standin.calls("chat.postMessage"))


def test_customer_text_never_becomes_a_mention_or_link(slack_desk, standin):
    # Quoted: an unquoted "<!channel> <asa@…>" is two angle-addrs, a From that names no one (quarantined).
    slack_desk.receive(mail(sender='"<!channel>" <asa@kund.se>', subject="<!channel> hjälp <@U0AGNES>",
                            body="Klicka <https://evil.example|din bank> & <!here>"))
    deliver(slack_desk)
    strings = [s for call in standin.calls() for s in all_strings(call.params)]
    assert strings and not any(bad in s for s in strings for bad in ("<!channel>", "<!here>", "<@U0AGNES>",
                                                                      "<https://evil"))
    assert any("&lt;!channel&gt;" in s for s in strings)


def test_rate_limits_and_server_errors_are_retried_and_the_card_posted_once(slack_desk, standin):
    standin.fail_next("chat.postMessage", status=429, retry_after=0, count=1)
    standin.fail_next("chat.postMessage", status=500, count=1)
    slack_desk.receive(mail())
    deliver(slack_desk)
    slack_desk.clock.at += timedelta(minutes=5)
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    cards = [c for c in standin.calls("chat.postMessage") if "thread_ts" not in c.params and c.ok]
    assert len(cards) == 1 and ticket.slack_card_ts == cards[0].response["ts"]


def test_thread_posts_follow_their_card_through_a_429_instead_of_backing_off_on_their_own(slack_desk, standin):
    standin.fail_next("chat.postMessage", status=429, retry_after=2)  # the card's first post
    slack_desk.receive(mail(body="Hej!\r\n\r\nExporten stannar på 80 %."))
    deliver(slack_desk)
    assert [c.status for c in standin.calls("chat.postMessage")] == [429]
    with slack_desk.sessions() as session:
        waiting = session.query(OutboxRow).filter_by(kind="slack.timeline").one()
    assert (waiting.state, waiting.attempts) == ("pending", 0)  # not tried while its card has yet to be posted

    slack_desk.clock.at += timedelta(seconds=2)  # the card's Retry-After, and not a moment more
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    posts = [c for c in standin.calls("chat.postMessage") if c.ok]
    assert [c.params.get("thread_ts") for c in posts] == [None, ticket.slack_card_ts]
    assert "Exporten stannar på 80 %." in json.dumps(posts[1].params, ensure_ascii=False)


def test_claim_is_a_compare_and_set_and_announced_in_the_thread(slack_desk, standin):
    slack_desk.receive(mail())
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    agnes, bo = agent(slack_desk, "agnes@vendor.example"), agent(slack_desk, "bo@vendor.example")
    results = {}
    barrier = threading.Barrier(2)

    def click(who):
        barrier.wait()
        results[who.email] = slack_desk.staff.claim(ticket.id, who.id, ticket.revision)

    threads = [threading.Thread(target=click, args=(who,)) for who in (agnes, bo)]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    winners = [email for email, result in results.items() if result.ok]
    assert len(winners) == 1
    loser = next(result for result in results.values() if not result.ok)
    assert loser.message.startswith("Already claimed by") and loser.holder_slack_id in ("U0AGNES", "U0BO")
    deliver(slack_desk)
    claimed = ticket_of(slack_desk)
    assert claimed.first_response_at is not None and claimed.status == "open"
    audit = [c for c in standin.calls("chat.postMessage") if "claimed" in c.params.get("text", "")]
    assert len(audit) == 1 and f"<@{loser.holder_slack_id}>" in audit[0].params["text"]


def test_a_stale_click_changes_nothing_and_refreshes_the_card(slack_desk, standin):
    slack_desk.receive(mail())
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    agnes = agent(slack_desk, "agnes@vendor.example")
    assert slack_desk.staff.set_priority(ticket.id, agnes.id, ticket.revision, "high").ok
    stale = slack_desk.staff.escalate(ticket.id, agnes.id, ticket.revision, 2)
    assert not stale.ok and stale.stale and "out of date" in stale.message
    assert ticket_of(slack_desk).line == 1 and ticket_of(slack_desk).priority == "high"
    deliver(slack_desk)
    assert len(standin.calls("chat.update")) >= 1


def test_reply_goes_out_as_mail_and_the_audit_line_waits_for_the_smtp_server(slack_desk):
    slack_desk.receive(mail())
    ticket = ticket_of(slack_desk)
    agnes = agent(slack_desk, "agnes@vendor.example")
    assert slack_desk.staff.reply(ticket.id, agnes.id, ticket.revision, "Hej Åsa, prova nu.").ok
    with slack_desk.sessions() as session:
        row = session.query(OutboxRow).filter_by(kind="email").order_by(OutboxRow.id.desc()).first()
        assert row.payload["template"] == "agent_reply" and row.payload["context"]["body"] == "Prova nu."  # the template greets
        assert row.payload["automatic"] is False
        assert row.payload["audit"] == {"icon": "📤", "text": "sent to customer", "actor_slack_id": "U0AGNES"}
        assert not session.query(OutboxRow).filter(OutboxRow.payload.is_not(None),
                                                   OutboxRow.kind == "slack.audit").filter(
            OutboxRow.idempotency_key.like("audit:%:sent:%")).count()
    updated = ticket_of(slack_desk)
    assert updated.status == "waiting_on_customer" and updated.first_response_at is not None


def test_escalation_up_tells_the_customer_back_down_does_not(slack_desk):
    slack_desk.receive(mail())
    ticket = ticket_of(slack_desk)
    bo = agent(slack_desk, "bo@vendor.example")
    assert slack_desk.staff.escalate(ticket.id, bo.id, ticket.revision, 2).ok
    assert slack_desk.staff.escalate(ticket.id, bo.id, ticket.revision + 1, 1).ok
    with slack_desk.sessions() as session:
        templates = [r.payload["template"] for r in session.query(OutboxRow).filter_by(kind="email")]
    assert templates.count("status_escalated") == 1


def test_inquiry_notice_then_open_as_ticket_anyway(make_desk, standin, session_factory):
    desk = make_desk(slack={"enabled": True, "bot_token": standin.token, "api_base_url": standin.base_url,
                            "staff_channel": STAFF, "min_post_interval_s": 0})
    clock = Clock(OPEN)
    deliverer = SlackDeliverer(desk.settings, make_sync_web_client(desk.settings.slack), desk.services["calendar"], clock)
    worker = OutboxWorker(session_factory, by_kind(deliverer), clock, worker_id="w")
    desk.receive(mail(subject="Ny fråga: <!channel>"))
    while worker.run_once():
        pass
    [notice] = standin.calls("chat.postMessage")
    assert "inquiry_open" in json.dumps(notice.params) and "&lt;!channel&gt;" in json.dumps(notice.params)
    with session_factory() as session:
        session.add(Agent(email="agnes@vendor.example", name="Agnes", slack_user_id="U0AGNES", created_at=OPEN))
        session.commit()
        inquiry_id = session.query(Inquiry).one().id
        agnes_id = session.query(Agent).one().id
    staff = Desk(session_factory, desk.settings, desk.services["calendar"], clock)
    opened = staff.open_inquiry(inquiry_id, agnes_id)
    assert opened.ok and opened.message.startswith("Opened TC-2026-")
    assert not staff.open_inquiry(inquiry_id, agnes_id).ok
    while worker.run_once():
        pass
    assert [c.params["ts"] for c in standin.calls("chat.update")] == [notice.response["ts"]]
    assert any("opened as" in c.params["text"] for c in standin.calls("chat.update"))
    with session_factory() as session:
        ticket = session.query(Ticket).one()
        assert ticket.slack_card_ts and [r.payload["template"] for r in session.query(OutboxRow).filter_by(kind="email")
                                         if r.ticket_id == ticket.id] == ["case_received"]


def test_alerts_go_to_the_alerts_channel(slack_desk, standin, session_factory):
    from storage.repositories import slack_queue

    with session_factory() as session:
        slack_queue.queue_alert(session, OPEN, "alert:test", "Leverans misslyckades <!channel>")
        session.commit()
    deliver(slack_desk)
    [alert] = standin.calls("chat.postMessage")
    assert alert.params["channel"] == ALERTS and "&lt;!channel&gt;" in alert.params["text"]


def test_reply_modal_to_mail_with_threading_headers_then_sent_audit(slack_desk, standin, session_factory):
    from email import message_from_bytes, policy

    from bot.app.config import SmtpSettings
    from bot.mail.deliverer import EmailDeliverer
    from bot.mail.smtp_sender import SmtpSender
    from bot.rendering.email import TemplateRenderer
    from tests.support.smtp_sink import SmtpSink

    slack_desk.receive(mail(message_id="<first@kund.se>"))
    deliver(slack_desk)
    ticket = ticket_of(slack_desk)
    agnes = agent(slack_desk, "agnes@vendor.example")
    assert slack_desk.staff.reply(ticket.id, agnes.id, ticket.revision, "Hej Åsa!\n\nPröva igen nu.").ok
    sink = SmtpSink().start()
    try:
        settings = slack_desk.settings.model_copy(update={"smtp": SmtpSettings(host="127.0.0.1", port=sink.port)})
        mailer = OutboxWorker(session_factory, {"email": EmailDeliverer(
            settings, TemplateRenderer.from_settings(settings), SmtpSender(settings.smtp), slack_desk.clock)},
            slack_desk.clock, worker_id="mail")
        while mailer.run_once():
            pass
        received = [message_from_bytes(raw, policy=policy.default) for _f, rcpts, raw in sink.wait_for(2)]
    finally:
        sink.stop()
    reply = next(m for m in received if m["Auto-Submitted"] is None)
    receipt = next(m for m in received if m["Auto-Submitted"] is not None)
    # The thread: the customer's first mail, then our receipt; the reply answers the latest.
    assert reply["References"].split() == ["<first@kund.se>", receipt["Message-ID"]]
    assert reply["In-Reply-To"] == receipt["Message-ID"] and reply["Subject"].startswith(f"[{ticket.reference}]")
    assert "Pröva igen nu." in reply.get_body(("plain",)).get_content()
    deliver(slack_desk)
    sent = [c for c in standin.calls("chat.postMessage") if "sent to customer" in c.params.get("text", "")]
    assert len(sent) == 1 and sent[0].params["thread_ts"] == ticket.slack_card_ts and "<@U0AGNES>" in sent[0].params["text"]
