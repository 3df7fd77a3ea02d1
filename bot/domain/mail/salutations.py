"""How a mail to a customer addresses them: by first name, in their language.

One place, because the receipt, the portal answer, the agent's reply, the
survey and the Slack-answered mail all greet the same person the same way.
"""

from __future__ import annotations

GREETINGS = {"sv": "Hej", "en": "Hello"}
SIGN_OFFS = {"sv": "Med vänliga hälsningar", "en": "Kind regards"}


def first_name(full_name: str | None) -> str:
    """The first word of a contact's name ("Åsa Lind" → "Åsa"); "" without a name."""
    words = (full_name or "").split()
    return words[0] if words else ""


def greeting(language: str, name: str) -> str:
    """"Hej Åsa," / "Hello John," ("Hej," without a name); Swedish for an unknown language."""
    word = GREETINGS.get(language, GREETINGS["sv"])
    return f"{word} {name}," if name else f"{word},"


def sign_off(language: str) -> str:
    """"Med vänliga hälsningar" / "Kind regards"."""
    return SIGN_OFFS.get(language, SIGN_OFFS["sv"])
