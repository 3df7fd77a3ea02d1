"""HTML-only mail as readable text, paragraphs kept apart."""

from __future__ import annotations

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

# inscriptis renders block elements on their own lines and honours <br>, so
# paragraphs stay paragraphs (the peer's html2text setup glued them together).
# The strict CSS profile: the relaxed one indents everything inside a <div>,
# and Outlook wraps every body in <div class=WordSection1>.
_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=False, display_images=False)


def html_to_text(html: str) -> str:
    """Text of ``html`` with paragraphs separated by blank lines and no trailing blanks."""
    if not html.strip():
        return ""
    try:
        text = get_text(html, _CONFIG)
    except Exception:  # inscriptis is robust, but a parser bug must not lose the mail
        return html
    lines = [line.rstrip() for line in text.splitlines()]
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return "\n".join(collapsed).strip("\n")
