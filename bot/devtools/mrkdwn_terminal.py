"""Slack's mrkdwn as a terminal can show it: bold and italics as styles, links and mentions readable.

The demo printed Slack's own syntax (`*New case by e-mail*`, `_unassigned_`,
`<@U0DEMOANNA>`). This reads the text as Slack receives it — escaped — so only our
own `<…>` become "@Anna Lind" or "label (url)"; a customer's "<@U123>" arrived as
`&lt;@U123&gt;` and stays text, as it does in Slack. Control characters a customer
sent are escaped (bot/rendering/terminal.py) before any style is added.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.rendering.terminal import printable

# Slack's rule, simplified: a marker opens after a non-word character and before a
# non-space, and closes after a non-space and before a non-word character; one line.
_STYLES = (("*", "bold"), ("_", "italic"), ("~", "strike"))
_PATTERNS = {mark: re.compile(rf"(?<![\w{re.escape(mark)}]){re.escape(mark)}(?=\S)([^\n]*?\S)"
                              rf"{re.escape(mark)}(?![\w{re.escape(mark)}])") for mark, _ in _STYLES}
_CODE = re.compile(r"`([^`\n]+)`")
_ANGLE = re.compile(r"<([^<>\n]+)>")
_ANSI = {"bold": ("\x1b[1m", "\x1b[22m"), "italic": ("\x1b[3m", "\x1b[23m"), "strike": ("\x1b[9m", "\x1b[29m"),
         "code": ("\x1b[2m", "\x1b[22m")}


@dataclass(frozen=True)
class TerminalStyle:
    """How styles show: ANSI sequences on a terminal, nothing (markers dropped) in a pipe or a log."""

    ansi: bool = False
    users: Mapping[str, str] = field(default_factory=dict)  # Slack user id → name, for mentions

    def wrap(self, kind: str, text: str) -> str:
        if not self.ansi:
            return text
        start, end = _ANSI[kind]
        return f"{start}{text}{end}"


def render(text: str, style: TerminalStyle = TerminalStyle()) -> str:
    """``text`` (escaped mrkdwn) as a terminal should show it."""
    text = printable(text, lines=True)
    text = _ANGLE.sub(lambda match: _angle(match.group(1), style), text)
    text = _CODE.sub(lambda match: style.wrap("code", match.group(1)), text)
    for mark, kind in _STYLES:
        text = _PATTERNS[mark].sub(_wrapper(style, kind), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _wrapper(style: TerminalStyle, kind: str) -> Callable[[re.Match], str]:
    return lambda match: style.wrap(kind, match.group(1))


def _angle(inside: str, style: TerminalStyle) -> str:
    """One of Slack's `<…>` tokens: a mention, a channel, a special mention or a link."""
    target, _, label = inside.partition("|")
    if target.startswith("@"):
        return "@" + (style.users.get(target[1:]) or label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        return "@" + (label or target[1:].split("^")[0])
    if label and label != target.removeprefix("mailto:"):
        return f"{label} ({target})"
    return target.removeprefix("mailto:")
