"""The small HTML pages customers open from our mail: survey form, close confirmation, answers.

Jinja2 files under ``templates/pages/<lang>/`` (the operator's
``desk.templates_dir/pages/<lang>/`` first), autoescaped, ``StrictUndefined``;
the ticket's language first, then Swedish. Pages work without JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from bot.rendering.email import BUILTIN_DIR, FALLBACK_LANGUAGE

# Tokens travel in the URL: never leak them in a Referer, never cache, never frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class PageRenderer:
    """Renders ``pages/<lang>/<name>.jinja``."""

    def __init__(self, builtin_dir: str | Path = BUILTIN_DIR, operator_dir: str | Path | None = None,
                 defaults: dict[str, Any] | None = None):
        roots = ([Path(operator_dir) / "pages"] if operator_dir else []) + [Path(builtin_dir) / "pages"]
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(root) for root in roots]),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.defaults = {"desk_name": "Support", **(defaults or {})}

    @classmethod
    def from_settings(cls, settings) -> "PageRenderer":
        return cls(BUILTIN_DIR, settings.desk.templates_dir or None, {"desk_name": settings.desk.name})

    def render(self, name: str, lang: str, **context: Any) -> str:
        """The page ``name`` in ``lang`` (falling back to Swedish)."""
        languages = [lang, FALLBACK_LANGUAGE] if lang != FALLBACK_LANGUAGE else [lang]
        template = self._env.select_template([f"{language}/{name}.jinja" for language in languages])
        language = template.name.split("/", 1)[0]
        return template.render({**self.defaults, **context, "lang": language})
