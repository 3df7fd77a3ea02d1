"""The close and survey links under attack, over a real server: every tampered token is a 400 and changes nothing.

A token is ``<ticket id>.<expiry>.<signature>``; the black-box runs found ``+11``,
``1_1`` and ``١١`` accepted as ticket 11 (``int()`` reads all three). Ids and
expiries are ASCII digits only now.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqlalchemy import func, select

from bot.domain.signing import Signer, link_token
from storage.models import Base, SurveyResponse
from tests.support.lifecycle_fixtures import event_kinds, reload, serve, ticket_for
from tests.support.raw_http import foreign_digits


def _parts(token: str) -> list[str]:
    return token.split(".")


def _with(token: str, index: int, value: str) -> str:
    parts = _parts(token)
    parts[index] = value
    return ".".join(parts)


TAMPERS = {
    "another ticket": lambda t: _with(t, 0, str(int(_parts(t)[0]) + 1)),
    "a longer life": lambda t: _with(t, 1, str(int(_parts(t)[1]) + 86400)),
    "signature changed": lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
    "signature missing": lambda t: t.rsplit(".", 1)[0],
    "a part more": lambda t: t + ".x",
    "empty": lambda t: "",
    "not a token": lambda t: "abc",
    "id with a plus sign": lambda t: _with(t, 0, "+" + _parts(t)[0]),
    "id with an underscore": lambda t: _with(t, 0, "0_" + _parts(t)[0]),
    "id with a space": lambda t: _with(t, 0, " " + _parts(t)[0]),
    "id in Arabic-Indic digits": lambda t: _with(t, 0, foreign_digits(_parts(t)[0], "٠")),
    "id in full-width digits": lambda t: _with(t, 0, foreign_digits(_parts(t)[0], "０")),
    "expiry with an underscore": lambda t: _with(t, 1, _parts(t)[1][:3] + "_" + _parts(t)[1][3:]),
    "expiry with a plus sign": lambda t: _with(t, 1, "+" + _parts(t)[1]),
    "signature not ASCII": lambda t: _with(t, 2, "ö" * 43),
    "signed with another key": lambda t: Signer(b"another key").sign(int(_parts(t)[0]), "close", _expiry(t)),
}


def _expiry(token: str):
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(_parts(token)[1]), timezone.utc)


@pytest.mark.parametrize("name", list(TAMPERS))
def test_a_tampered_close_or_survey_token_is_400_and_changes_nothing(desk, name):
    ticket = ticket_for(desk, status="waiting_on_customer")
    close_token = link_token(desk.settings, ticket.id, "close", desk.clock())
    survey_token = link_token(desk.settings, ticket.id, "survey", desk.clock())
    bad_close, bad_survey = TAMPERS[name](close_token), TAMPERS[name](survey_token)
    events_before = event_kinds(desk, ticket.id)

    async def scenario(client):
        for method, path, token in [("GET", "/tickets/close", bad_close), ("POST", "/tickets/close", bad_close),
                                    ("GET", "/survey", bad_survey), ("POST", "/survey", bad_survey)]:
            if method == "GET":
                response = await client.get(path, params={"t": token, "r": "3"})
            else:
                response = await client.post(path, data={"t": token, "rating": "3"})
            assert response.status == 400, (method, path, token, response.status)
            assert "Länken fungerar inte" in await response.text()
    serve(desk, scenario)
    assert reload(desk, ticket.id).status == "waiting_on_customer"
    assert event_kinds(desk, ticket.id) == events_before
    with desk.sessions() as session:
        assert session.query(SurveyResponse).count() == 0


def test_the_untampered_token_still_works(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    token = link_token(desk.settings, ticket.id, "close", desk.clock())

    async def scenario(client):
        assert (await client.get("/tickets/close", params={"t": token})).status == 200
        assert reload(desk, ticket.id).status == "waiting_on_customer"  # GET asks, never changes
        assert (await client.post("/tickets/close", data={"t": token})).status == 200
    serve(desk, scenario)
    assert reload(desk, ticket.id).status == "closure_requested"


def test_the_close_page_escapes_a_stored_script(desk):
    ticket = ticket_for(desk)
    with desk.sessions() as session:
        from storage.models import Ticket

        session.get(Ticket, ticket.id).subject = "<script>alert(1)</script>"
        session.commit()
    token = link_token(desk.settings, ticket.id, "close", desk.clock())

    async def scenario(client):
        html = await (await client.get("/tickets/close", params={"t": token})).text()
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    serve(desk, scenario)


def test_an_expired_token_is_400(desk):
    ticket = ticket_for(desk, status="waiting_on_customer")
    token = link_token(desk.settings, ticket.id, "close", desk.clock())
    desk.clock.at += timedelta(days=desk.settings.lifecycle.link_valid_days, seconds=1)

    async def scenario(client):
        assert (await client.post("/tickets/close", data={"t": token})).status == 400
    serve(desk, scenario)
    assert reload(desk, ticket.id).status == "waiting_on_customer"


def _row_counts(desk) -> dict[str, int]:
    with desk.sessions() as session:
        return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables}


def test_no_get_or_head_changes_anything(desk):
    """Mail scanners and link previewers follow every link, some with HEAD: only a POST may act."""
    ticket = ticket_for(desk, status="waiting_on_customer")
    close_token = link_token(desk.settings, ticket.id, "close", desk.clock())
    survey_token = link_token(desk.settings, ticket.id, "survey", desk.clock())
    before = _row_counts(desk), reload(desk, ticket.id).revision

    async def scenario(client):
        statuses = []
        for method in ("GET", "HEAD"):
            statuses.append((await client.request(method, "/tickets/close", params={"t": close_token})).status)
            for rating in "12345":
                response = await client.request(method, "/survey", params={"t": survey_token, "r": rating})
                statuses.append(response.status)
            statuses.append((await client.request(method, "/portal/cases")).status)
        assert statuses == [200] * 6 + [405] + [405] * 7
    serve(desk, scenario)
    assert (_row_counts(desk), reload(desk, ticket.id).revision) == before
    assert reload(desk, ticket.id).status == "waiting_on_customer"
