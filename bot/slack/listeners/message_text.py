"""An agent's Slack message as plain text for an e-mail (the "Send to customer" shortcut).

Slack's message ``text`` is mrkdwn with its control sequences escaped
(``&amp;``, ``&lt;``, ``&gt;``) and angle-bracket entities for links and
mentions. In a mail those must read as the agent meant them.
"""

from __future__ import annotations

import re

_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(mrkdwn: str) -> str:
    """Links as ``label (url)``, ``mailto:`` as the address, mentions as ``@name``; then unescaped."""
    return _unescape(_ENTITY.sub(_entity, mrkdwn))


def _entity(match: re.Match) -> str:
    target, label = match.group(1), match.group(2)
    if target.startswith(("@", "#")):  # <@U123>, <@U123|agnes>, <#C123|general>
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!subteam^S1|@oncall>, <!date^…|fallback>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return label or target[len("mailto:"):]
    return target if not label or label == target else f"{label} ({target})"


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
