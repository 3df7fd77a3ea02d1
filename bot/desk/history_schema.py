"""One line of a history file (`supportbot ticket import`): a past case from the previous system.

Required: external_reference, organisation (customer number), contact (e-mail),
subject, opened_at, messages. Optional, for the reports: closed_at (null: still
open), line, category, language, contact_name, channel (how it came in:
email/slack/portal/staff), priority, first_response_at, first_response_due_at
(the SLA: met when the first response came before it), survey {rating 1–5,
comment, answered_at}. Times are ISO 8601 with an offset.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("needs a UTC offset (e.g. 2026-03-10T09:15:00+01:00)")
    return value.astimezone(timezone.utc) if value is not None else None


class HistoryMessage(_Strict):
    sender: Literal["customer", "agent"] = Field(alias="from")
    author: str | None = Field(default=None, max_length=320)
    at: datetime
    text: str = Field(max_length=1_000_000)

    _at = field_validator("at")(_aware)


class HistorySurvey(_Strict):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=10_000)
    answered_at: datetime | None = None

    _answered = field_validator("answered_at")(_aware)


class HistoryCase(_Strict):
    external_reference: str = Field(min_length=1, max_length=128)
    organisation: str = Field(min_length=1, max_length=64)
    contact: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    contact_name: str = Field(default="", max_length=255)
    language: Literal["sv", "en"] = "sv"
    subject: str = Field(min_length=1, max_length=998)
    opened_at: datetime
    closed_at: datetime | None = None
    line: Literal[1, 2, 3] = 1
    category: str | None = Field(default=None, max_length=64)
    channel: Literal["email", "slack", "portal", "staff"] = "email"
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    first_response_at: datetime | None = None
    first_response_due_at: datetime | None = None
    survey: HistorySurvey | None = None
    messages: list[HistoryMessage] = Field(min_length=1, max_length=10_000)

    _times = field_validator("opened_at", "closed_at", "first_response_at", "first_response_due_at")(_aware)

    @model_validator(mode="after")
    def _in_order(self) -> "HistoryCase":
        if self.closed_at is not None and self.closed_at < self.opened_at:
            raise ValueError("closed_at is before opened_at")
        if self.survey is not None and self.closed_at is None:
            raise ValueError("a survey needs a closed case")
        return self
