"""E-mail templates: one Jinja2 file renders a whole message (subject, text, HTML).

Layout on disk (the same under the built-in ``templates/`` and the operator's
``desk.templates_dir``)::

    email/<lang>/_layout.jinja     shared layout: greeting-free frame, signature, reference
    email/<lang>/<name>.jinja      {% extends "_layout.jinja" %} + blocks subject, text, html

Lookup order for ``render(name, lang)``: the operator folder before the
built-ins, the contact's language before Swedish — for ``en``:
operator/en → builtin/en → operator/sv → builtin/sv. A message is rendered
entirely in the language where its template was found, layout included.

The file is rendered once per part with ``message_part`` set to ``"subject"``,
``"text"`` or ``"html"``; the layout emits only that part. Subject and text
are rendered without autoescaping, HTML with it. ``StrictUndefined``
throughout, so a misspelt variable fails a test instead of reaching a customer.
Customer-supplied strings are only ever context values, never template source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_datetime
from markupsafe import Markup, escape

import bot

BUILTIN_DIR = Path(bot.__file__).resolve().parent.parent / "templates"
FALLBACK_LANGUAGE = "sv"
SUFFIX = ".jinja"
PARTS = ("subject", "text", "html")

_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
# Swedish writes clock times with a full stop (Språkrådet): "kl. 09.00".
_DATETIME_PATTERNS = {"sv": "EEEE d MMMM 'kl.' HH.mm", "en": "EEEE d MMMM 'at' HH:mm"}
_CLOCK_FORMATS = {"sv": "%H.%M", "en": "%H:%M"}
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class TemplateMissingError(LookupError):
    """No file for the template in any folder of the lookup order."""

    def __init__(self, name: str, searched: list[Path]) -> None:
        self.name = name
        self.searched = searched
        places = ", ".join(str(p) for p in searched)
        super().__init__(f"e-mail template {name!r} not found; searched: {places}")


class RenderError(Exception):
    """A template exists but could not be rendered (undefined variable, syntax error, …)."""


@dataclass(frozen=True)
class RenderedMessage:
    """A whole rendered message; ``language`` is the one the template was found in."""

    subject: str
    text: str
    html: str
    language: str = FALLBACK_LANGUAGE


class TemplateRenderer:
    """Renders e-mail templates from the operator folder and the built-ins."""

    def __init__(
        self,
        builtin_dir: str | Path = BUILTIN_DIR,
        operator_dir: str | Path | None = None,
        *,
        timezone: str = "Europe/Stockholm",
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        """``defaults`` are desk-wide values (see ``desk_context``) under every context."""
        roots = [Path(operator_dir)] if operator_dir else []
        self._roots = roots + [Path(builtin_dir)]
        self._zone = ZoneInfo(timezone)
        self.defaults: dict[str, Any] = dict(defaults or {})
        self._envs: dict[tuple[str, bool], jinja2.Environment] = {}

    @classmethod
    def from_settings(cls, settings: Any) -> "TemplateRenderer":
        """The renderer the service uses: built-ins, ``desk.templates_dir``, desk-wide values."""
        return cls(
            BUILTIN_DIR,
            settings.desk.templates_dir or None,
            timezone=settings.hours.timezone,
            defaults=desk_context(settings),
        )

    def render(self, name: str, lang: str, context: Mapping[str, Any]) -> RenderedMessage:
        """Render template ``name`` for a contact speaking ``lang``."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"invalid template name {name!r}")
        for language in _languages(lang):
            if any(p.is_file() for p in self._candidates(name, language)):
                return self._render_in(name, language, {**self.defaults, **context})
        searched = [p for language in _languages(lang) for p in self._candidates(name, language)]
        raise TemplateMissingError(name, searched)

    def list_templates(self) -> list[str]:
        """Names of every message template in any language and folder (layouts excluded)."""
        names = {
            p.name[: -len(SUFFIX)]
            for root in self._roots
            for p in (root / "email").glob(f"*/*{SUFFIX}")
            if not p.name.startswith("_")
        }
        return sorted(names)

    def _candidates(self, name: str, language: str) -> list[Path]:
        return [root / "email" / language / f"{name}{SUFFIX}" for root in self._roots]

    def _render_in(self, name: str, language: str, values: dict[str, Any]) -> RenderedMessage:
        parts = {part: self._render_part(name, language, part, values) for part in PARTS}
        return RenderedMessage(
            subject=" ".join(parts["subject"].split()),
            text=_tidy_text(parts["text"]),
            html=parts["html"].strip() + "\n",
            language=language,
        )

    def _render_part(self, name: str, language: str, part: str, values: dict[str, Any]) -> str:
        env = self._env(language, autoescape=part == "html")
        try:
            # message_part is set last so that no context value can override it.
            return env.get_template(name + SUFFIX).render({**values, "message_part": part})
        except jinja2.TemplateError as exc:
            raise RenderError(f"e-mail template {name!r} ({language}, {part}): {exc}") from exc

    def _env(self, language: str, autoescape: bool) -> jinja2.Environment:
        key = (language, autoescape)
        if key not in self._envs:
            self._envs[key] = self._make_env(language, autoescape)
        return self._envs[key]

    def _make_env(self, language: str, autoescape: bool) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(root / "email" / language) for root in self._roots]),
            undefined=jinja2.StrictUndefined,
            autoescape=autoescape,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        locale = _LOCALES.get(language, _LOCALES[FALLBACK_LANGUAGE])
        pattern = _DATETIME_PATTERNS.get(language, _DATETIME_PATTERNS[FALLBACK_LANGUAGE])
        env.filters["local_datetime"] = lambda value: _local_datetime(value, pattern, self._zone, locale)
        clock_format = _CLOCK_FORMATS.get(language, _CLOCK_FORMATS[FALLBACK_LANGUAGE])
        env.filters["clock"] = lambda value: value.strftime(clock_format)
        env.filters["paragraphs"] = _paragraphs
        return env


def desk_context(settings: Any) -> dict[str, Any]:
    """Desk-wide template values taken from the settings."""
    hours = settings.hours
    return {
        "desk_name": settings.desk.name,
        "support_address": settings.desk.support_address,
        "portal_url": settings.portal.url,
        "emergency_phone": settings.portal.emergency_phone,
        "opening_hours": {
            "open": hours.open,
            "close": hours.close,
            "lunch_start": hours.lunch_start,
            "lunch_end": hours.lunch_end,
            "half_day_close": hours.half_day_close if hours.half_day_before_red_day else None,
        },
    }


def _languages(lang: str) -> list[str]:
    # "sv-SE", "en_GB", "EN" → primary subtag; anything odd means Swedish.
    primary = re.split(r"[-_]", (lang or "").strip().lower(), maxsplit=1)[0]
    if not re.fullmatch(r"[a-z]{2,3}", primary) or primary == FALLBACK_LANGUAGE:
        return [FALLBACK_LANGUAGE]
    return [primary, FALLBACK_LANGUAGE]


def _tidy_text(text: str) -> str:
    # Optional blocks leave stray blank lines; keep at most one in a row.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept = [line for i, line in enumerate(lines) if line or (i and lines[i - 1])]
    return "\n".join(kept) + "\n"


def _local_datetime(value: datetime | str, pattern: str, zone: ZoneInfo, locale: str) -> str:
    """An aware instant as the desk's local time in words; a string is taken as already formatted."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises, naming the variable
    if isinstance(value, str):
        return value
    # Babel would take a naive datetime as UTC; ours are aware, so naive is a bug.
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise jinja2.TemplateRuntimeError(f"local_datetime needs an aware datetime, got {value!r}")
    return format_datetime(value, pattern, tzinfo=zone, locale=locale)


def _paragraphs(text: str) -> Markup:
    """Plain text → escaped HTML paragraphs; single newlines become ``<br>``."""
    blocks = re.split(r"\n[ \t]*\n", str(text).replace("\r\n", "\n").strip())
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>\n").join(escape(line) for line in block.split("\n"))
        for block in blocks
        if block.strip()
    )
