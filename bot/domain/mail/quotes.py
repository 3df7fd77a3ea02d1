"""The new part of a reply: quoted history and signatures removed (Swedish and English markers)."""

from __future__ import annotations

from mailparser_reply import EmailReplyParser

# mail-parser-reply knows the Swedish client markers ("Från:", "Skickat:",
# "-----Ursprungligt meddelande-----", "Den … skrev:") and the English ones.
_PARSER = EmailReplyParser(languages=["sv", "en"])


def fresh_text(text: str) -> str:
    """The reply's own text; the whole text when nothing is recognised as quoted."""
    if not text.strip():
        return ""
    try:
        replies = _PARSER.read(text=text).replies
    except Exception:  # a regex library quirk must never lose the message
        return text.strip()
    fresh = replies[0].body.strip() if replies else ""
    return fresh or text.strip()
