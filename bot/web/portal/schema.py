"""What the portal sends to POST /portal/cases, checked field by field."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
# PostgreSQL text cannot hold NUL (a 500 before this check), and a line break in a
# one-line field would end up in a mail header. Tabs are harmless; text keeps its line breaks.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(pattern: re.Pattern[str]):
    def check(value: str) -> str:
        if pattern.search(value):
            raise ValueError("must not contain control characters")
        return value
    return AfterValidator(check)


Line = Annotated[str, _no_control(_CONTROL_IN_LINE)]
Text = Annotated[str, _no_control(_CONTROL_IN_TEXT)]


class PortalAttachment(BaseModel):
    """A file: its content in base64 (stored), or a link (recorded, never fetched)."""

    model_config = ConfigDict(extra="ignore")

    name: Line = Field(min_length=1, max_length=1024)
    url: str | None = Field(None, max_length=2048)
    content_base64: str | None = None
    content_type: Line = Field("application/octet-stream", max_length=255)

    @field_validator("url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s]+$", value):
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> "PortalAttachment":
        if (self.url is None) == (self.content_base64 is None):
            raise ValueError("give exactly one of url and content_base64")
        if self.content_base64 is not None:
            try:
                base64.b64decode(self.content_base64, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("content_base64 is not valid base64") from None
        return self

    def content(self) -> bytes | None:
        """The decoded bytes of a base64 attachment."""
        return base64.b64decode(self.content_base64, validate=True) if self.content_base64 is not None else None


class PortalCase(BaseModel):
    """One case registered in the portal."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    case_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    organisation: Line = Field(min_length=1, max_length=64)
    contact_email: str = Field(max_length=320)
    subject: Line = Field(min_length=1, max_length=998)
    description: Text = Field(min_length=1, max_length=1_000_000)
    category: Line = Field("", max_length=64)
    attachments: list[PortalAttachment] = Field([], max_length=50)

    @field_validator("organisation", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        # The organisation is a customer number; the portal may send it as a JSON number.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("contact_email")
    @classmethod
    def _address(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError("not an e-mail address")
        return value.lower()


def parse_case(data: Any) -> tuple[PortalCase | None, dict[str, str]]:
    """The case, or field errors as ``{"attachments.0.url": "must be an http(s) URL"}``."""
    if not isinstance(data, dict):
        return None, {"body": "must be a JSON object"}
    try:
        return PortalCase.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "body"
            message = error["msg"].removeprefix("Value error, ")
            errors.setdefault(where, message)
        return None, errors
