"""The index follows the messages on both back ends: append, forget, retention; similar and search read it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app.config import MemorySettings
from bot.desk.history_import import import_history
from bot.desk.memory import search, similar_cases, similar_to_ticket
from bot.jobs.privacy import forget
from storage import search as index
from storage.models import Ticket
from storage.repositories import messages
from tests.desk.memory_fixtures import BACKUP, LOCKED, PDF, add_organisation, history_line
from tests.support.desk_zone import DESK_ZONE


def _desk(session_factory, now, *lines):
    with session_factory() as session:
        add_organisation(session)
    import_history(session_factory, list(lines) or [PDF, LOCKED, BACKUP], prefix="TC", desk_zone=DESK_ZONE, now=now)


def _found(session, words: str) -> list[str]:
    return [case.external_reference for case in search(session, words)]


def test_similar_finds_the_case_by_stem_across_languages_and_never_the_case_itself(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        found = similar_cases(session, "PDF-fakturor är tomma", "Fakturorna blir vita när vi gör PDF.")
        assert [case.external_reference for case in found][:1] == ["OLD-1"]
        assert found[0].answer == "Välj om fakturamallen under Inställningar så blir PDF:en rätt."
        english = similar_cases(session, "Backup job fails", "Our nightly backups stopped, no disk space left.")
        assert english[0].external_reference == "OLD-3"
        reference = session.scalar(select(Ticket.reference).where(Ticket.external_reference == "OLD-1"))
        assert "OLD-1" not in [case.external_reference for case in similar_to_ticket(session, reference)]


def test_the_threshold_suppresses_weak_matches(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        weak = similar_cases(session, "Fråga om julbord", "Kommer ni på vår julfest? Vår administratör bjuder på glögg och lussekatter i år.")
        threshold = MemorySettings().similar_min_score  # the calibrated default the card uses
        assert weak and weak[0].score < threshold  # something shares a word …
        assert similar_cases(session, "Fråga om julbord", "Kommer ni på vår julfest? Vår administratör bjuder på glögg "
                             "och lussekatter i år.", min_score=threshold) == []  # … and the card shows nothing
        strong = similar_cases(session, "Kontot är låst", "Kan inte logga in, kontot spärrat.", min_score=threshold)
        assert [case.external_reference for case in strong] == ["OLD-2"]


def test_a_new_message_is_searchable_in_its_transaction_and_automatic_ones_are_not(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        ticket = session.execute(select(Ticket).where(Ticket.external_reference == "OLD-2")).scalar_one()
        messages.append_message(session, ticket, direction="inbound", channel="email", text="Skrivaren Zebra krånglar",
                                message_id="<a@x>", created_at=now)
        messages.record_message(session, ticket, direction="outbound", channel="email", automatic=True,
                                text="Vi har tagit emot ditt ärende om brandväggen", message_id="<b@x>", created_at=now)
        assert _found(session, "zebra") == ["OLD-2"]
        assert _found(session, "brandväggen") == []
        session.rollback()
        assert _found(session, "zebra") == []


def test_forget_and_retention_take_text_out_of_the_index(session_factory, now):
    line = history_line("OLD-4", "Exporten stannar", "Ring mig på 070-123 45 67, hälsningar Eva Ek", "Svar",
                        contact="eva@kund.se")
    _desk(session_factory, now, line, BACKUP)
    with session_factory() as session:
        assert _found(session, "Eva Ek") == ["OLD-4"]
    forget(session_factory, None, "eva@kund.se")
    with session_factory() as session:
        assert _found(session, "Eva Ek") == [] and _found(session, "070") == []
        assert _found(session, "backup") == ["OLD-3"]
        backup = session.scalar(select(Ticket.id).where(Ticket.external_reference == "OLD-3"))
    from bot.jobs.retention import purge_closed_tickets
    purge_closed_tickets(session_factory, None, 365, now + timedelta(days=400))
    with session_factory() as session:
        assert _found(session, "backup") == []
        assert index.reindex(session, [backup]) == 1
