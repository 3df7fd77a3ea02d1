"""Log lines for people (``--log-format text``, the default) or for collectors (``json``).

Every handler we install carries :class:`SecretMask`: the configured secrets
(passwords, tokens, signing secrets, the desk key, the database password) are
replaced by ``***`` wherever they appear in a record — message, arguments,
traceback, extra fields — so a library that logs a URL or an exception that
quotes a login line cannot leak them. Secrets shorter than ``MIN_SECRET_CHARS``
are not masked: hiding every "a" in the log would hide more than it protects.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import IO, Any

from pydantic import BaseModel, SecretStr

MASK = "***"
MIN_SECRET_CHARS = 4
_OURS = "_supportbot_handler"
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}
# Chatty at INFO: one line per SMTP connection and per HTTP request (health probes).
# alembic: every command checks the schema, and alembic logs its plugins and
# "Context impl SQLiteImpl" at INFO each time; `db upgrade` prints its own result.
_QUIET_AT_INFO = ("mail.log", "aiohttp.access", "alembic")


class SecretMask(logging.Filter):
    """Replaces secret values in a record before any formatter sees it."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            record.msg, record.args = self.mask(record.getMessage()), None
        except Exception:  # arguments that do not fit the format: logging reports that itself
            record.msg = self.mask(str(record.msg))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, self.mask(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, thread, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "thread": record.threadName,
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def make_formatter(log_format: str) -> logging.Formatter:
    """The formatter for ``text`` or ``json``."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def setup_logging(
    log_format: str = "text",
    verbose: bool = False,
    secrets: Iterable[str] = (),
    *,
    stream: IO[str] | None = None,
    log_file: str | None = None,
) -> None:
    """Configure the root logger: INFO (DEBUG when ``verbose``) to stderr, or to ``log_file``.

    With ``log_file`` everything goes to the file and only warnings to the
    terminal (the demo's terminal is for its own output). Like
    ``logging.basicConfig`` this leaves alone a root logger someone else already
    configured (a test runner's capture); calling it again replaces our handlers.
    """
    root = logging.getLogger()
    if any(not getattr(handler, _OURS, False) for handler in root.handlers):
        return
    for handler in list(root.handlers):
        root.removeHandler(handler)
    level = logging.DEBUG if verbose else logging.INFO
    mask = SecretMask(secrets)
    console = logging.StreamHandler(stream or sys.stderr)
    handlers = [console]
    if log_file:
        console.setLevel(logging.INFO if verbose else logging.WARNING)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(make_formatter(log_format))
        handler.addFilter(mask)
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    root.setLevel(level)
    for name in _QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)


def secret_values(settings: BaseModel) -> list[str]:
    """Every non-empty secret in ``settings``; of the database URL, only its password."""
    found: list[str] = []
    for section_name in type(settings).model_fields:
        section = getattr(settings, section_name)
        if not isinstance(section, BaseModel):
            continue
        for field_name in type(section).model_fields:
            value = getattr(section, field_name)
            if not isinstance(value, SecretStr) or not value.get_secret_value():
                continue
            if (section_name, field_name) == ("database", "url"):
                found.extend(_url_password(value.get_secret_value()))
            else:
                found.append(value.get_secret_value())
    return found


def _url_password(url: str) -> list[str]:
    # The URL itself is mostly harmless (and a sqlite path is useful in logs);
    # its password is the secret. No "@", no password: no need to load SQLAlchemy
    # to parse it (a light command such as `hours status` never imports it).
    if "@" not in url:
        return []
    from sqlalchemy.engine import make_url

    try:
        password = make_url(url).password
    except Exception:  # an unparseable URL fails elsewhere, with its own message
        return []
    return [str(password)] if password else []
