"""Contacts by address, and the per-batch preload intake uses."""

from sqlalchemy import event

from storage.models import Contact, Organisation
from storage.repositories import directory, preloaded


def _contact(session, email, now):
    organisation = Organisation(number="1001", name="Kund AB", created_at=now)
    contact = Contact(organisation=organisation, email=email, name="Anna Berg", created_at=now)
    session.add(contact)
    session.commit()
    return contact


def _counting(session):
    statements = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


def test_find_contact_ignores_case_and_spaces(session, now):
    contact = _contact(session, "anna@kund.se", now)
    assert directory.find_contact(session, " Anna@Kund.SE ").id == contact.id
    assert directory.find_contact(session, "okand@kund.se") is None


def test_preloaded_senders_are_answered_without_a_query(session, now):
    contact = _contact(session, "anna@kund.se", now)
    directory.preload_contacts(session, ["ANNA@kund.se", "okand@kund.se", ""])
    statements = _counting(session)
    assert directory.find_contact(session, "anna@kund.se").id == contact.id
    assert directory.find_contact(session, "okand@kund.se") is None
    assert statements == []
    assert directory.find_contact(session, "annan@kund.se") is None  # not preloaded: asked
    assert len(statements) == 1


def test_forgotten_preload_asks_again(session, now):
    directory.preload_contacts(session, ["anna@kund.se"])
    preloaded.forget(session)
    contact = _contact(session, "anna@kund.se", now)
    assert directory.find_contact(session, "anna@kund.se").id == contact.id
