"""What every command shares: the lazily loaded settings and one way to fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

import click

from bot.app.config import ConfigError, Settings, load_settings
from bot.app.logging_setup import secret_values, setup_logging


def parse_instant(option: str, value: str) -> datetime:
    """An aware instant from ISO 8601 with an offset or Z; a naive or malformed one ends the command (exit 2)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: {value!r} is not an ISO 8601 instant (e.g. 2026-05-13T10:00:00+02:00)")
    if parsed.tzinfo is None:
        fail(f"{option}: {value!r} has no UTC offset; add one (+02:00) or Z")
    return parsed


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``supportbot: message`` to stderr and exit with ``code``."""
    click.echo(f"supportbot: {message}", err=True)
    raise SystemExit(code)


@dataclass
class CliContext:
    config_path: str | None
    log_format: str = "text"
    verbose: bool = False
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """Settings, loaded once; a bad configuration ends the command with one line."""
        if self._settings is None:
            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                fail(f"config error: {exc}")
            setup_logging(self.log_format, self.verbose, secret_values(self._settings))
        return self._settings


pass_cli = click.make_pass_decorator(CliContext)
