"""Closing a case: by reply, by the signed link, by the agent, automatically; reopening or a new case after."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.jobs.auto_close import auto_close
from bot.domain.signing import link_token, signer_from_settings
from storage.models import Inquiry, Ticket
from tests.handlers.conftest import OPEN, mail
from tests.support.lifecycle_fixtures import event_kinds, mails, outbox, reload, revision, serve, ticket_for


def reply(ticket, body: str) -> bytes:
    return mail(in_reply_to="<sb-1@example.com>", subject=f"SV: [{ticket.reference}] Exporten fungerar inte", body=body)


# -- by reply ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "Tack, nu fungerar det. Ni kan stänga ärendet.\r\n\r\nMvh Åsa",
    "Thanks, all good now - you can close this.\r\n\r\nJohn",
])
def test_a_closure_phrase_in_the_reply_requests_closure_in_either_language(lifecycle_desk, body):
    desk = lifecycle_desk(slack={"enabled": True})
    ticket = ticket_for(desk, status="waiting_on_customer")
    outcome = desk.receive(reply(ticket, body))
    assert any("asks to close" in decision for decision in outcome.decisions)
    after = reload(desk, ticket.id)
    assert after.status == "closure_requested" and after.closure_requested_at == OPEN
    assert event_kinds(desk, ticket.id)[-3:] == ["customer_replied", "status_changed", "status_changed"]
    [audit] = outbox(desk, "slack.audit")
    assert audit.payload["text"] == "customer asked to close the case (by reply)"
    assert mails(desk) == []  # the customer knows what they asked


def test_a_phrase_only_in_the_quoted_history_does_not_count(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    body = ("Loggen bifogad, felet kvarstår.\r\n\r\n"
            "Den 10 mars 2026 skrev Support <support@example.com>:\r\n"
            "> Om allt fungerar kan du svara \"ni kan stänga ärendet\".\r\n")
    desk.receive(reply(ticket, body))
    assert reload(desk, ticket.id).status == "open"


def test_a_negated_phrase_keeps_the_case_open(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    desk.receive(reply(ticket, "Ni behöver inte avsluta ärendet än, vi testar vidare."))
    assert reload(desk, ticket.id).status == "open"


# -- by the agent, with the one-click link ------------------------------------------------------

def confirm_url_of(desk) -> str:
    [row] = [r for r in mails(desk) if r.payload["template"] == "status_closure_requested"]
    return row.payload["context"]["confirm_url"]


def test_the_agent_requesting_closure_mails_a_signed_confirm_link(desk):
    ticket = ticket_for(desk)
    assert desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closure_requested").ok
    url = confirm_url_of(desk)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "support.example.com", "/tickets/close")
    token = parse_qs(parts.query)["t"][0]
    assert signer_from_settings(desk.settings).verify(token, "close", desk.clock()) == ticket.id
    # The mail renders with the link (the template needs confirm_url).
    from bot.rendering.email import TemplateRenderer

    row = [r for r in mails(desk) if r.payload["template"] == "status_closure_requested"][0]
    rendered = TemplateRenderer.from_settings(desk.settings).render(row.payload["template"], row.payload["lang"],
                                                                    row.payload["context"])
    assert url in rendered.text


def test_the_close_link_get_only_asks_and_post_requests_closure(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    token = link_token(desk.settings, ticket.id, "close", desk.clock())

    async def scenario(client):
        for _ in range(2):  # a mail scanner following the link changes nothing
            page = await client.get("/tickets/close", params={"t": token})
            html = await page.text()
            assert page.status == 200 and 'lang="sv"' in html and "Ja, avsluta ärendet" in html
            assert page.headers["Referrer-Policy"] == "no-referrer"
        assert reload(desk, ticket.id).status == "waiting_on_customer"
        done = await client.post("/tickets/close", data={"t": token})
        assert done.status == 200 and "Vi avslutar ärendet" in await done.text()
        assert reload(desk, ticket.id).status == "closure_requested"
        again = await client.post("/tickets/close", data={"t": token})
        assert again.status == 200
        tampered = await client.post("/tickets/close", data={"t": token[:-2] + "xx"})
        assert tampered.status == 400 and "Länken fungerar inte" in await tampered.text()
        survey_token = link_token(desk.settings, ticket.id, "survey", desk.clock())
        assert (await client.get("/tickets/close", params={"t": survey_token})).status == 400  # another purpose
    serve(desk, scenario)
    assert event_kinds(desk, ticket.id)[-2:] == ["status_changed", "closure_confirmed"]  # the second click, once


def test_the_close_page_of_a_closed_ticket_says_so(desk):
    ticket = ticket_for(desk, status="closed", language="en", contact_email="john@kund.se", closed_at=OPEN)
    token = link_token(desk.settings, ticket.id, "close", desk.clock())

    async def scenario(client):
        page = await client.get("/tickets/close", params={"t": token})
        html = await page.text()
        assert 'lang="en"' in html and "already closed" in html
        done = await client.post("/tickets/close", data={"t": token})
        assert "already closed" in await done.text()
    serve(desk, scenario)
    assert reload(desk, ticket.id).status == "closed"


# -- automatically ---------------------------------------------------------------------------------

def test_auto_close_after_five_business_days_with_a_frozen_clock(desk, session_factory):
    ticket = ticket_for(desk)
    assert desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closure_requested").ok
    calendar = desk.services["calendar"]
    # Requested Tuesday 10 March 10:15: Wed, Thu, Fri, Mon, Tue → closes Tuesday 17 March at 16:00.
    just_before = OPEN + timedelta(days=7, hours=5, minutes=44)
    assert auto_close(session_factory, desk.settings, calendar, just_before) == []
    assert reload(desk, ticket.id).status == "closure_requested"
    at_close = OPEN + timedelta(days=7, hours=5, minutes=45)
    assert auto_close(session_factory, desk.settings, calendar, at_close) == [ticket.reference]
    after = reload(desk, ticket.id)
    assert after.status == "closed" and after.closed_at == at_close
    assert [row.payload["template"] for row in mails(desk)] == [
        "status_closure_requested", "status_closed", "survey_invitation"]
    assert auto_close(session_factory, desk.settings, calendar, at_close + timedelta(hours=1)) == []  # once
    assert len(mails(desk)) == 3


def test_a_reply_before_the_deadline_keeps_the_case_open(desk, session_factory):
    ticket = ticket_for(desk)
    desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closure_requested")
    desk.receive(reply(ticket, "Vänta, felet kom tillbaka."), at=OPEN + timedelta(days=2))
    assert reload(desk, ticket.id).status == "open"
    assert auto_close(session_factory, desk.settings, desk.services["calendar"], OPEN + timedelta(days=30)) == []


def test_auto_close_can_be_switched_off(lifecycle_desk, session_factory):
    desk = lifecycle_desk(lifecycle={"auto_close_business_days": 0})
    ticket = ticket_for(desk, status="closure_requested")
    assert auto_close(session_factory, desk.settings, desk.services["calendar"], OPEN + timedelta(days=90)) == []


# -- reopening, or a new case --------------------------------------------------------------------

def test_a_reply_within_the_reopen_window_reopens_the_case(desk):
    ticket = ticket_for(desk, status="closed", closed_at=OPEN)
    desk.receive(reply(ticket, "Felet är tillbaka sedan i morse."), at=OPEN + timedelta(days=14))
    after = reload(desk, ticket.id)
    assert after.status == "open" and after.closed_at is None


def test_a_reply_after_the_reopen_window_is_a_new_case_for_the_portal_rule(desk):
    ticket = ticket_for(desk, status="closed", closed_at=OPEN)
    outcome = desk.receive(reply(ticket, "Felet är tillbaka."), at=OPEN + timedelta(days=14, minutes=1))
    assert f"{ticket.reference} closed more than 14 days ago: a new case" in outcome.decisions
    assert reload(desk, ticket.id).status == "closed"
    [answer] = mails(desk)
    assert answer.payload["template"] == "portal_redirect"
    with desk.sessions() as session:
        assert session.query(Inquiry).one().kind == "new_case"
        assert session.query(Ticket).count() == 1


def test_after_the_window_policy_ticket_opens_a_new_ticket(lifecycle_desk):
    desk = lifecycle_desk(portal={"new_case_policy": "ticket"})
    ticket = ticket_for(desk, status="closed", closed_at=OPEN)
    desk.receive(reply(ticket, "Installationen krånglar igen."), at=OPEN + timedelta(days=20))
    with desk.sessions() as session:
        old, new = session.query(Ticket).order_by(Ticket.id).all()
        assert old.status == "closed" and new.status == "new" and new.reference != old.reference


def test_mail_inspect_shows_the_closure_decision_without_changing_anything(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    outcome = desk.receive(reply(ticket, "Please close the case, thanks!"), dry_run=True)
    assert f"{ticket.reference}: the customer asks to close it ('please close')" in outcome.decisions
    assert reload(desk, ticket.id).status == "waiting_on_customer"
