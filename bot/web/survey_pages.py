"""The survey pages: GET /survey shows the form, POST /survey records the one answer.

A GET never records anything: mail scanners and link previewers follow every
link in a mail, so the rating in the link (``r``) only preselects a choice on
the form. The answer is recorded by the POST, once per ticket (the unique
survey_responses row decides); later POSTs get the "already answered" page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select

from bot.domain.signing import BadToken, signer_from_settings
from bot.web.pages import SECURITY_HEADERS, PageRenderer
from bot.desk.survey import record_rating
from storage.models import SurveyResponse, Ticket


@dataclass(frozen=True)
class TicketView:
    id: int
    reference: str
    subject: str
    language: str
    status: str
    answered: bool


class LinkPages:
    """What the survey and close pages share: the token check, the ticket, the page response."""

    purpose = ""

    def __init__(self, runtime, pages: PageRenderer):
        self.runtime = runtime
        self.pages = pages

    def ticket_view(self, token: str) -> TicketView | None:
        """The ticket a genuine token for ``purpose`` names (runs in a worker thread)."""
        try:
            ticket_id = signer_from_settings(self.runtime.settings).verify(token, self.purpose, self.runtime.clock())
        except BadToken:
            return None
        with self.runtime.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return None
            answered = session.execute(
                select(SurveyResponse.id).where(SurveyResponse.ticket_id == ticket_id)).first() is not None
            return TicketView(ticket.id, ticket.reference, ticket.subject, ticket.language, ticket.status, answered)

    def page(self, name: str, lang: str, status: int = 200, **context) -> web.Response:
        html = self.pages.render(name, lang, **context)
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                            headers=SECURITY_HEADERS)

    def invalid(self) -> web.Response:
        return self.page("invalid_link", self.runtime.settings.desk.default_language, status=400)


class SurveyPages(LinkPages):
    purpose = "survey"

    async def show(self, request: web.Request) -> web.Response:
        token = request.query.get("t", "")
        view = await asyncio.to_thread(self.ticket_view, token)
        if view is None:
            return self.invalid()
        if view.answered:
            return self.page("survey_answered", view.language, reference=view.reference)
        return self._form(view, token, _rating(request.query.get("r")), None)

    async def answer(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("t") or request.query.get("t", ""))
        view = await asyncio.to_thread(self.ticket_view, token)
        if view is None:
            return self.invalid()
        rating = _rating(form.get("rating"))
        if rating is None:
            error = "Välj ett betyg från 1 till 5." if view.language == "sv" else "Please choose a rating from 1 to 5."
            return self._form(view, token, None, error, status=422)
        recorded = await asyncio.to_thread(self._record, view.id, rating, str(form.get("comment") or ""))
        if not recorded:
            return self.page("survey_answered", view.language, status=409, reference=view.reference)
        return self.page("survey_thanks", view.language, reference=view.reference, rating=rating)

    def _record(self, ticket_id: int, rating: int, comment: str) -> bool:
        runtime = self.runtime
        with runtime.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                return False
            recorded = record_rating(session, runtime.settings, ticket, rating, comment, "web", runtime.clock())
            session.commit()
            return recorded

    def _form(self, view: TicketView, token: str, selected: int | None, error: str | None,
              status: int = 200) -> web.Response:
        return self.page("survey_form", view.language, status=status, reference=view.reference,
                         subject=view.subject, token=token, selected=selected, error=error)


def _rating(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None
