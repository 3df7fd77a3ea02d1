"""How a mail to a customer addresses them: by first name, in their language.

One place, because the receipt, the portal answer, the agent's reply, the
survey and the Slack-answered mail all greet the same person the same way.
"""

from __future__ import annotations

import re

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


# An agent's reply: the agent_reply template adds the greeting and the sign-off,
# so the agent's own (a habit from writing mail) are taken off their text, and the
# customer never reads "Hej Åsa," twice. Only a salutation at the very start and a
# sign-off block at the very end are taken; anything in between is the agent's.
_GREETING_WORDS = ("hej", "hejsan", "hallå", "hi", "hello", "hey", "dear", "god morgon", "god dag", "god eftermiddag",
                   "good morning", "good afternoon", "good evening")
_GREETING = re.compile(
    r"\A\s*(?:%s)\b(?P<names>(?:[ \t]+[^\s,!.:;?]+){0,3})[ \t]*(?:(?P<mark>[,!])[ \t]*|(?=\n[ \t]*\n))"
    % "|".join(re.escape(word) for word in _GREETING_WORDS), re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:med vänliga hälsningar|med vänlig hälsning|vänliga hälsningar|vänligen|mvh|hälsningar|kind regards|"
    r"best regards|warm regards|regards|best wishes|sincerely|yours sincerely|cheers)[,.!]?\s*$", re.IGNORECASE)
_SIGNATURE_LINES, _SIGNATURE_CHARS = 3, 60  # after a sign-off: a name, a title, a company


def agent_words(text: str) -> str:
    """The agent's text without a greeting they typed first or a sign-off block they typed last."""
    body = text.strip()
    greeted = _GREETING.match(body)
    if greeted:
        rest = body[greeted.end():].lstrip()
        body = rest[:1].upper() + rest[1:] if greeted.group("mark") and "\n" not in body[:greeted.end()] else rest
    lines = body.splitlines()
    for at in range(len(lines) - 1, max(-1, len(lines) - 2 - _SIGNATURE_LINES), -1):
        if _SIGN_OFF.match(lines[at]):
            if all(len(line.strip()) <= _SIGNATURE_CHARS for line in lines[at + 1:]):
                lines = lines[:at]
            break
    return "\n".join(lines).strip()
