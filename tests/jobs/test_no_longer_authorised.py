"""A contact de-authorised in the directory: staff see "no longer authorised" on the notice and the card."""

from __future__ import annotations

import json

from bot.desk.directory_changes import deauthorise_contact
from bot.devtools.slack_standin import SlackStandin  # noqa: F401  (the fixture's type)
from bot.slack.client import make_sync_web_client
from bot.slack.deliverers.staff import SlackDeliverer
from bot.jobs.outbox import by_kind
from bot.jobs.outbox_worker import OutboxWorker
from tests.handlers.conftest import OPEN, mail, make_desk  # noqa: F401  (fixture)
from tests.jobs.test_outbox_slack import STAFF, Clock, agent, deliver, slack_desk, standin, ticket_of  # noqa: F401

PHRASE = "no longer authorised"


def test_the_inquiry_notice_of_a_deauthorised_contact_says_so(make_desk, standin, session_factory):
    desk = make_desk(slack={"enabled": True, "bot_token": standin.token, "api_base_url": standin.base_url,
                            "staff_channel": STAFF, "min_post_interval_s": 0})
    deliverer = SlackDeliverer(desk.settings, make_sync_web_client(desk.settings.slack), desk.services["calendar"],
                               Clock(OPEN))
    worker = OutboxWorker(session_factory, by_kind(deliverer), Clock(OPEN), worker_id="w")
    outcome = desk.receive(mail(sender="Ex Admin <former@kund.se>", subject="Ny fråga"))
    assert "unauthorised contact former@kund.se" in outcome.decisions
    desk.receive(mail(sender="Kim Okänd <kim@elsewhere.example>", subject="Fråga"))
    while worker.run_once():
        pass
    former, stranger = standin.calls("chat.postMessage")
    assert PHRASE in json.dumps(former.params, ensure_ascii=False)
    assert "Ex Admin" in json.dumps(former.params, ensure_ascii=False)
    assert PHRASE not in json.dumps(stranger.params, ensure_ascii=False)  # unknown, never authorised
    assert [row.payload["template"] for row in desk.mails()] == ["unknown_sender", "unknown_sender"]


def test_the_card_of_a_contact_deauthorised_since_says_so_when_it_is_next_drawn(slack_desk, standin):
    slack_desk.receive(mail(subject="Exporten stannar"))
    deliver(slack_desk)
    [card] = [c for c in standin.calls("chat.postMessage") if "thread_ts" not in c.params]
    assert PHRASE not in json.dumps(card.params, ensure_ascii=False)
    with slack_desk.sessions() as session:
        deauthorise_contact(session, "asa@kund.se")
        session.commit()
    ticket = ticket_of(slack_desk)
    assert slack_desk.staff.claim(ticket.id, agent(slack_desk, "agnes@vendor.example").id, ticket.revision).ok
    deliver(slack_desk)
    [update] = standin.calls("chat.update")
    fields = json.dumps(update.params["blocks"][1], ensure_ascii=False)
    assert "asa@kund.se" in fields and PHRASE in fields
