"""Builds the service's parts from settings; the CLI and the service start from here."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app.config import Settings
from storage.db import make_engine, make_session_factory


def utc_now() -> datetime:
    """The real clock; everything else takes a clock argument so tests can freeze it."""
    return datetime.now(timezone.utc)


class Runtime:
    """Lazily built shared objects for one process."""

    def __init__(self, settings: Settings, clock=utc_now):
        self.settings = settings
        self.clock = clock

    @cached_property
    def engine(self) -> Engine:
        database = self.settings.database
        return make_engine(database.url.get_secret_value(), echo=database.echo, pool_size=database.pool_size)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def services(self) -> dict:
        """What handlers need besides the database; raises HoursError for a bad deviations file."""
        from storage.attachment_store import AttachmentStore
        from bot.domain.hours.calendar import calendar_from_settings

        return {
            "calendar": calendar_from_settings(self.settings.hours),
            "attachments": AttachmentStore(self.settings.desk.attachments_dir),
        }

    @cached_property
    def intake(self):
        from bot.intake.mail_runner import IntakeProcessor

        return IntakeProcessor(self.sessions, self.settings, self.clock, self.services)

    def close(self) -> None:
        """Release pooled connections."""
        if "engine" in self.__dict__:
            self.engine.dispose()
