"""A real browser answers the survey: headless Chromium, driven over the DevTools protocol, on a phone-sized screen.

Needs Debian's ``chromium`` (CI installs it with .ci/install-chromium.sh). On CI
(``CI=true``) a missing browser fails the test; elsewhere it is skipped with
that reason.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from aiohttp import web

from bot.web.routes import lifecycle_routes
from storage.models import SurveyResponse
from tests.support.cdp import Browser, find_chromium
from tests.support.lifecycle_fixtures import mails, revision, ticket_for

PHONE = {"width": 375, "height": 740, "deviceScaleFactor": 2, "mobile": True}


@pytest.fixture
def chromium():
    binary = find_chromium()
    if binary is None:
        message = "chromium is not installed (Debian: apt-get install chromium; CI runs .ci/install-chromium.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def test_a_customer_opens_the_survey_link_picks_a_rating_and_submits(desk, chromium):
    ticket = ticket_for(desk)
    assert desk.staff.set_status(ticket.id, desk.agent_id, revision(desk, ticket.id), "closed").ok
    [invitation] = [row for row in mails(desk) if row.payload["template"] == "survey_invitation"]
    link = invitation.payload["context"]["rating_urls"][4]  # "5", as clicked in the mail
    path_and_query = link.split("support.example.com", 1)[1]

    async def main():
        app = web.Application()
        app.add_routes(lifecycle_routes(desk.runtime))
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with Browser(chromium) as browser:
                await browser.send("Emulation.setDeviceMetricsOverride", PHONE)
                await browser.navigate(f"http://127.0.0.1:{port}{path_and_query}")
                assert await browser.evaluate("document.documentElement.lang") == "sv"
                assert await browser.evaluate("document.querySelector('input[name=rating]:checked').value") == "5"
                # Accessible on a phone: every control labelled, tap targets ≥ 44 px, no sideways scrolling.
                assert await browser.evaluate(
                    "[...document.querySelectorAll('input, textarea')].filter(e => e.type !== 'hidden')"
                    ".every(e => e.labels.length === 1)")
                assert await browser.evaluate(
                    "[...document.querySelectorAll('.choice, button')]"
                    ".every(e => e.getBoundingClientRect().height >= 44)")
                assert await browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                assert await browser.evaluate("document.querySelectorAll('script').length") == 0
                # Opening the page recorded nothing.
                assert await asyncio.to_thread(_answers) == []
                await browser.evaluate("document.querySelector('label[for=rating-2]').click()")
                await browser.evaluate("document.getElementById('comment').value = 'Bra, men det tog tid.'")
                browser._drain()
                await browser.evaluate("document.querySelector('button[type=submit]').click()")
                await browser.wait_for_event("Page.loadEventFired")
                text = await browser.evaluate("document.body.innerText")
                assert "Tack för ditt svar!" in text and "betyg 2 av 5" in text
        finally:
            await runner.cleanup()

    def _answers():
        with desk.sessions() as session:
            return [(r.rating, r.comment, r.channel) for r in session.query(SurveyResponse)]

    asyncio.run(asyncio.wait_for(main(), 90))
    assert _answers() == [(2, "Bra, men det tog tid.", "web")]
