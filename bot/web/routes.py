"""The case-lifecycle endpoints, for the HTTP server to mount: ``lifecycle_routes(runtime)``.

    POST /portal/cases      the portal's signed case registrations (bot/web/portal/webhook.py)
    POST /portal/directory  the portal's signed directory events (bot/web/portal/directory.py)
    GET  /tickets/close     ?t=<signed token>: "close this case?" page (changes nothing)
    POST /tickets/close     form t=<token>: the customer asks for closure → closure_requested
    GET  /survey            ?t=<signed token>&r=<1–5>: the survey form, r preselected (records nothing)
    POST /survey            form t, rating, comment: records the one answer (409 when already answered)
    GET  /files/<token>     agents' signed download of a file or a raw mail (bot/web/file_links.py)

Tokens are signed by bot/domain/signing.py. Pages are in the ticket's language.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.domain.tickets import Status
from bot.web.file_links import FileDownloads
from bot.web.portal.directory import DirectoryWebhook
from bot.web.portal.webhook import PortalWebhook
from bot.web.pages import PageRenderer
from bot.web.survey_pages import LinkPages, SurveyPages
from bot.desk.closure import request_closure
from storage.models import Ticket


class ClosePages(LinkPages):
    """The one-click closure link in our mail: GET asks, POST requests closure."""

    purpose = "close"

    async def show(self, request: web.Request) -> web.Response:
        token = request.query.get("t", "")
        view = await asyncio.to_thread(self.ticket_view, token)
        if view is None:
            return self.invalid()
        if view.status == Status.CLOSED:
            return self.page("close_done", view.language, reference=view.reference, already_closed=True)
        return self.page("close_confirm", view.language, reference=view.reference, subject=view.subject, token=token)

    async def confirm(self, request: web.Request) -> web.Response:
        form = await request.post()
        token = str(form.get("t") or request.query.get("t", ""))
        view = await asyncio.to_thread(self.ticket_view, token)
        if view is None:
            return self.invalid()
        closed = await asyncio.to_thread(self._request, view.id)
        return self.page("close_done", view.language, reference=view.reference, already_closed=closed)

    def _request(self, ticket_id: int) -> bool:
        """Ask for closure; True when the ticket is already closed (or gone)."""
        runtime = self.runtime
        with runtime.sessions() as session:
            ticket = session.get(Ticket, ticket_id, with_for_update=True)
            if ticket is None or ticket.status == Status.CLOSED:
                return True
            request_closure(session, runtime.settings, ticket, runtime.clock(), via="link")
            session.commit()
            return False


def lifecycle_routes(runtime) -> list[web.RouteDef]:
    """The routes; ``runtime`` needs ``settings``, ``sessions``, ``clock`` and ``services`` (calendar, attachments)."""
    pages = PageRenderer.from_settings(runtime.settings)
    portal, close, survey = PortalWebhook(runtime), ClosePages(runtime, pages), SurveyPages(runtime, pages)
    return [
        web.post("/portal/cases", portal.handle),
        web.post("/portal/directory", DirectoryWebhook(runtime).handle),
        web.get("/tickets/close", close.show, allow_head=False),
        web.post("/tickets/close", close.confirm),
        web.get("/survey", survey.show, allow_head=False),
        web.post("/survey", survey.answer),
        *FileDownloads(runtime).routes(),
    ]
