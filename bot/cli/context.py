"""What every command shares: the lazily loaded settings and one way to fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:  # imported where used: a calendar question must not load pydantic or SQLAlchemy
    from bot.app.config import ConfigError, Settings
    from bot.app.runtime import Runtime


def parse_instant(option: str, value: str) -> datetime:
    """An aware instant from ISO 8601 with an offset or Z; a naive or malformed one ends the command (exit 2)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: {value!r} is not an ISO 8601 instant (e.g. 2026-05-13T10:00:00+02:00)")
    if parsed.tzinfo is None:
        fail(f"{option}: {value!r} has no UTC offset; add one (+02:00) or Z")
    return parsed


def range_bound(option: str, value: str, tz, end: bool) -> datetime:
    """A report's bound: an ISO instant with an offset, or a date meaning the desk's local midnight
    (for an ``end`` bound the midnight after it, so the day is included)."""
    value = value.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(0), tz)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: {value!r} is not an ISO 8601 instant or date (e.g. 2026-05-01 or 2026-05-01T00:00+02:00)")
    if parsed.tzinfo is None:
        fail(f"{option}: {value!r} has no UTC offset; add one (+02:00) or Z, or give a date")
    return parsed


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``supportbot: message`` to stderr and exit with ``code``."""
    click.echo(f"supportbot: {message}", err=True)
    raise SystemExit(code)


def fail_lines(messages: list[str], code: int = 2) -> NoReturn:
    """Each message on its own ``supportbot: …`` line on stderr, then exit with ``code``."""
    for message in messages:
        click.echo(f"supportbot: {message}", err=True)
    raise SystemExit(code)


def fail_config(error: ConfigError) -> NoReturn:
    """Every line of a configuration error, each as ``supportbot: config error: …``; exit 2."""
    for line in error.lines:
        click.echo(f"supportbot: config error: {line}", err=True)
    raise SystemExit(2)


def database_error(exc: Exception) -> str:
    """One line for a database that cannot be reached: the driver's exception and its first line."""
    cause = getattr(exc, "orig", None) or exc
    return f"database error: {type(cause).__name__}: {(str(cause).splitlines() or [''])[0]}"


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
            from bot.app.config import ConfigError, load_settings
            from bot.app.logging_setup import secret_values, setup_logging

            try:
                self._settings = load_settings(self.config_path)
            except ConfigError as exc:
                fail_config(exc)
            setup_logging(self.log_format, self.verbose, secret_values(self._settings))
        return self._settings

    def runtime_unchecked(self) -> Runtime:
        """A runtime whose hours file was read (a bad one ends the command), its database not yet touched."""
        from bot.app.runtime import Runtime
        from bot.domain.hours.day_rules import HoursError

        runtime = Runtime(self.settings)
        try:
            runtime.services  # noqa: B018 - build now so a bad hours setting stops here, named
        except HoursError as exc:
            fail(f"config error: {exc}")
        return runtime

    def runtime(self) -> Runtime:
        """A runtime for a command that needs the database; else one line and exit 2 (1 if unreachable).

        The hours file is read, the SQLite file must exist (connecting would create a
        stray empty one) and the schema must be this version's: "run `supportbot db
        upgrade`" instead of a traceback about a missing table halfway through.
        """
        runtime = self.runtime_unchecked()
        problem = database_problem(runtime)
        if problem:
            runtime.close()
            fail(*problem)
        return runtime


def database_problem(runtime: Runtime) -> tuple[str, int] | None:
    """Why ``runtime``'s database cannot be used as it is (message, exit code), without creating it; else None."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage import migrate
    from storage.db import missing_sqlite_file

    missing = missing_sqlite_file(runtime.settings.database.url.get_secret_value())
    if missing:
        return f"database {missing} does not exist: run `supportbot db upgrade`", 2
    try:
        problem = migrate.schema_problem(runtime.engine)
    except SQLAlchemyError as exc:
        return database_error(exc), 1
    if problem is None:
        return None
    return (problem if problem.endswith("upgrade supportbot") else f"{problem}: run `supportbot db upgrade`"), 2


pass_cli = click.make_pass_decorator(CliContext)
