"""Canned replies for the reply modal: text files, the operator's before the built-in ones.

Layout (under the built-in ``templates/`` and the operator's ``desk.templates_dir``)::

    slack/canned/<lang>/<id>.txt     first line: the title shown in the select; the rest: the text

Files are read once at start, sorted by name (a numeric prefix orders them); an
operator file with the same name replaces the built-in one. A language without
files falls back to Swedish, as the e-mail templates do. ``{reference}`` in a
text becomes the ticket's reference; nothing else is substituted.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bot.app.config import Settings
from bot.rendering.email import BUILTIN_DIR, FALLBACK_LANGUAGE

log = logging.getLogger("supportbot.slack")

SUBFOLDER = Path("slack") / "canned"
_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    text: str

    def for_ticket(self, reference: str) -> str:
        return self.text.replace("{reference}", reference)


class CannedReplies:
    """The canned replies per language; see the module docstring."""

    def __init__(self, roots: list[Path]):
        self._by_language: dict[str, dict[str, CannedReply]] = {}
        for root in reversed(roots):  # later (higher-priority) roots replace earlier files
            for folder in sorted(p for p in root.glob("*") if p.is_dir()):
                replies = self._by_language.setdefault(folder.name, {})
                for path in sorted(folder.glob("*.txt")):
                    reply = _read(path)
                    if reply is not None:
                        replies[path.name] = reply

    @classmethod
    def from_settings(cls, settings: Settings) -> CannedReplies:
        """The operator's folder (``desk.templates_dir``) before the built-in one."""
        roots = [BUILTIN_DIR / SUBFOLDER]
        if settings.desk.templates_dir:
            roots.insert(0, Path(settings.desk.templates_dir) / SUBFOLDER)
        return cls(roots)

    def for_language(self, language: str) -> list[CannedReply]:
        """The replies in ``language`` (else Swedish), in file-name order."""
        replies = self._by_language.get(language) or self._by_language.get(FALLBACK_LANGUAGE) or {}
        return [replies[name] for name in sorted(replies)]

    def find(self, language: str, reply_id: str) -> CannedReply | None:
        return next((reply for reply in self.for_language(language) if reply.id == reply_id), None)


def _read(path: Path) -> CannedReply | None:
    reply_id = path.stem
    try:
        title, _, text = path.read_text(encoding="utf-8").partition("\n")
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("canned reply %s not readable: %s", path, exc)
        return None
    if not _ID.match(reply_id) or not title.strip() or not text.strip():
        log.warning("canned reply %s skipped: needs a plain file name, a title line and a text", path)
        return None
    return CannedReply(reply_id, title.strip(), text.strip("\n").rstrip())
