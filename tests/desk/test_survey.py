"""The survey: one invitation on close, a GET that never votes, one POST that does, votes by reply, the report."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from bot.cli.context import CliContext
from bot.cli.survey import survey
from storage.models import SurveyResponse, Ticket
from tests.handlers.conftest import OPEN, mail
from tests.support.lifecycle_fixtures import event_kinds, mails, outbox, reload, revision, serve, ticket_for


def close(desk, ticket) -> list[str]:
    """The agent closes the ticket; returns the five rating links of the invitation."""
    assert desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closed").ok
    [invitation] = [row for row in mails(desk) if row.payload["template"] == "survey_invitation"]
    return invitation.payload["context"]["rating_urls"]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["t"][0]


def responses(desk) -> list[SurveyResponse]:
    with desk.sessions() as session:
        return list(session.query(SurveyResponse))


def test_closing_sends_one_invitation_with_five_signed_links(desk):
    ticket = ticket_for(desk, language="en", contact_email="john@kund.se")
    urls = close(desk, ticket)
    assert [row.payload["template"] for row in mails(desk)] == ["status_closed", "survey_invitation"]
    assert [parse_qs(urlsplit(u).query)["r"] for u in urls] == [["1"], ["2"], ["3"], ["4"], ["5"]]
    assert all(urlsplit(u).path == "/survey" for u in urls) and len({token_of(u) for u in urls}) == 1
    invitation = mails(desk)[-1]
    assert invitation.payload["to"] == ["john@kund.se"] and invitation.payload["lang"] == "en"
    # Reopened and closed again: still one survey per ticket.
    with desk.sessions() as session:
        session.get(Ticket, ticket.id).status = "open"
        session.commit()
    desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closed")
    assert [row.payload["template"] for row in mails(desk)].count("survey_invitation") == 1


def test_get_never_votes_post_votes_once_and_then_refuses(lifecycle_desk):
    desk = lifecycle_desk(slack={"enabled": True, "survey_channel": "C0SURVEY"})
    ticket = ticket_for(desk)
    url = close(desk, ticket)[3]

    async def scenario(client):
        for _ in range(2):  # a mail scanner, then the customer: neither records anything
            page = await client.get(urlsplit(url).path + "?" + urlsplit(url).query)
            html = await page.text()
            assert page.status == 200 and 'lang="sv"' in html
            assert 'value="4" required checked' in html and '<label for="rating-4">4 – Nöjd</label>' in html
            assert '<meta name="viewport"' in html and page.headers["Cache-Control"] == "no-store"
        assert responses(desk) == []
        answer = await client.post("/survey", data={"t": token_of(url), "rating": "5", "comment": "Snabbt <b>svar</b>!"})
        assert answer.status == 200 and "betyg 5 av 5" in await answer.text()
        again = await client.post("/survey", data={"t": token_of(url), "rating": "1"})
        assert again.status == 409 and "redan besvarad" in await again.text()
        later = await client.get("/survey", params={"t": token_of(url), "r": "2"})
        assert later.status == 200 and "redan besvarad" in await later.text()
    serve(desk, scenario)
    [response] = responses(desk)
    assert (response.rating, response.comment, response.channel, response.line) == (5, "Snabbt <b>svar</b>!", "web", 1)
    assert "survey_answered" in event_kinds(desk, ticket.id)
    [audit] = [row for row in outbox(desk, "slack.audit") if row.payload["icon"] == "⭐"]
    assert audit.payload["text"] == "survey: 5/5 — “Snabbt <b>svar</b>!”"  # escaped by the Slack builder
    [posted] = outbox(desk, "slack.survey")
    assert posted.payload["channel"] == "C0SURVEY" and posted.payload["text"].startswith(f"{ticket.reference} (line 1)")


def test_the_page_escapes_what_it_shows(desk):
    ticket = ticket_for(desk)
    with desk.sessions() as session:
        session.get(Ticket, ticket.id).subject = "<script>alert(1)</script>"
        session.commit()
    url = close(desk, ticket)[0]

    async def scenario(client):
        html = await (await client.get("/survey", params={"t": token_of(url)})).text()
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    serve(desk, scenario)


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    lambda t: str(int(t.split(".")[0]) + 1) + t[t.index("."):],
    lambda t: "",
])
def test_a_tampered_token_is_refused_and_records_nothing(desk, tamper):
    url = close(desk, ticket_for(desk))[2]
    bad = tamper(token_of(url))

    async def scenario(client):
        page = await client.get("/survey", params={"t": bad, "r": "3"})
        assert page.status == 400 and "Länken fungerar inte" in await page.text()
        post = await client.post("/survey", data={"t": bad, "rating": "3"})
        assert post.status == 400
    serve(desk, scenario)
    assert responses(desk) == []


def test_an_expired_link_is_refused(desk):
    url = close(desk, ticket_for(desk))[2]
    desk.clock.at += timedelta(days=61)

    async def scenario(client):
        assert (await client.post("/survey", data={"t": token_of(url), "rating": "3"})).status == 400
    serve(desk, scenario)


def test_a_post_without_a_rating_shows_the_form_again(desk):
    url = close(desk, ticket_for(desk, language="en", contact_email="john@kund.se"))[2]

    async def scenario(client):
        page = await client.post("/survey", data={"t": token_of(url), "rating": "9"})
        assert page.status == 422 and "Please choose a rating from 1 to 5." in await page.text()
    serve(desk, scenario)
    assert responses(desk) == []


# -- by reply ---------------------------------------------------------------------------------

def digit_reply(ticket, body):
    return mail(in_reply_to="<sb-1@example.com>", subject=f"SV: [{ticket.reference}] Hur nöjd är du?", body=body)


def test_a_reply_with_a_digit_votes_and_keeps_the_case_closed(desk):
    ticket = ticket_for(desk)
    close(desk, ticket)
    outcome = desk.receive(digit_reply(ticket, "4\r\n\r\nSkickat från min iPhone\r\n\r\n> Hur nöjd är du?"),
                           at=OPEN + timedelta(days=1))
    assert outcome.disposition == "discarded" and "survey answer 4" in outcome.reason and "recorded" in outcome.reason
    [response] = responses(desk)
    assert (response.rating, response.channel) == (4, "email")
    assert reload(desk, ticket.id).status == "closed"
    again = desk.receive(digit_reply(ticket, "2"), at=OPEN + timedelta(days=1))
    assert "already answered" in again.reason and [r.rating for r in responses(desk)] == [4]


def test_a_digit_on_an_open_case_is_just_a_message(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    desk.receive(digit_reply(ticket, "3"))
    assert responses(desk) == [] and reload(desk, ticket.id).status == "open"


def test_a_reply_with_words_reopens_the_closed_case(desk):
    ticket = ticket_for(desk)
    close(desk, ticket)
    desk.receive(digit_reply(ticket, "4 av 5, men exporten krånglar igen"), at=OPEN + timedelta(days=1))
    assert responses(desk) == [] and reload(desk, ticket.id).status == "open"


# -- the report ---------------------------------------------------------------------------------

def test_survey_report_per_month_and_line(desk, db_url, tmp_path):
    answers = [(datetime(2026, 2, 28, 23, 30, tzinfo=timezone.utc), 1, 5),  # 1 March in Stockholm
               (datetime(2026, 3, 5, 9, 0, tzinfo=timezone.utc), 1, 3),
               (datetime(2026, 3, 6, 9, 0, tzinfo=timezone.utc), 2, 4),
               (datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc), 2, 1)]
    with desk.sessions() as session:
        for number, (at, line, rating) in enumerate(answers):
            ticket = ticket_for(desk)
            session.add(SurveyResponse(ticket_id=ticket.id, rating=rating, line=line, channel="web", answered_at=at))
        session.commit()
    config = tmp_path / "supportbot.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")

    def run(*args):
        result = CliRunner().invoke(survey, ["report", *args], obj=CliContext(config_path=str(config)))
        assert result.exit_code == 0, result.output
        return result.output

    table = run()
    assert "2026-03  1          2     0   0   1   0   1   4.00    50%" in table
    assert "2026-03  all        3     0   0   1   1   1   4.00    67%" in table
    assert "all      all        4     1   0   1   1   1   3.25    50%" in table
    csv = run("--from", "2026-03-01", "--to", "2026-03-31", "--csv").splitlines()
    assert csv == ["month,line,answers,r1,r2,r3,r4,r5,mean,csat_percent",
                   "2026-03,1,2,0,0,1,0,1,4.00,50.0", "2026-03,2,1,0,0,0,1,0,4.00,100.0",
                   "2026-03,all,3,0,0,1,1,1,4.00,66.7", "all,all,3,0,0,1,1,1,4.00,66.7"]
    assert run("--from", "2027-01-01") == "no survey answers in this period\n"
