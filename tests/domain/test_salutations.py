"""Greeting by first name, and an agent's own greeting and sign-off taken off (the template adds both)."""

from __future__ import annotations

import pytest

from bot.domain.mail.salutations import agent_words, first_name, greeting, sign_off


@pytest.mark.parametrize(("name", "first"), [("Åsa Lind", "Åsa"), ("  John   Smith ", "John"), ("", ""), (None, ""),
                                              ("   ", "")])
def test_first_name(name, first):
    assert first_name(name) == first


def test_greeting_and_sign_off_in_the_contacts_language():
    assert (greeting("sv", "Åsa"), greeting("en", "John"), greeting("sv", ""), greeting("xx", "Bo")) == \
        ("Hej Åsa,", "Hello John,", "Hej,", "Hej Bo,")
    assert (sign_off("sv"), sign_off("en")) == ("Med vänliga hälsningar", "Kind regards")


@pytest.mark.parametrize(("typed", "kept"), [
    ("Hi John,\n\nThe export works now.\n\nKind regards\nAgnes\nSupport", "The export works now."),
    ("Hej Åsa!\n\nPröva igen nu.", "Pröva igen nu."),
    ("Hej Åsa, prova nu.", "Prova nu."),  # a greeting in front of the first sentence
    ("Hej\n\nText", "Text"),
    ("Hej Åsa och Bo,\nExporten är klar.", "Exporten är klar."),
    ("Text\n\nMvh\nAgnes", "Text"),
    ("Dear Mr Smith, we fixed it.", "We fixed it."),
    # Not a salutation: kept as typed.
    ("Hejdå alla", "Hejdå alla"),
    ("Hi there it fails", "Hi there it fails"),
    ("Exporten är rättad i 4.2.1.", "Exporten är rättad i 4.2.1."),
    ("Regards to your team: it works.\nMore text here that is long enough to be content, not a signature.",
     "Regards to your team: it works.\nMore text here that is long enough to be content, not a signature."),
    # A sign-off followed by more than a short signature is content.
    ("Text.\n\nBest regards,\nAgnes Agent\nKundtjänst AB\nTel 08-123\nextra",
     "Text.\n\nBest regards,\nAgnes Agent\nKundtjänst AB\nTel 08-123\nextra"),
])
def test_an_agents_own_greeting_and_sign_off_are_taken_off(typed, kept):
    assert agent_words(typed) == kept
