"""What the portal sends to POST /portal/directory, checked field by field.

One event, or ``{"events": [event, …]}`` (at most MAX_EVENTS, applied in order, all or none):

    {"id": "evt-2026-000123", "type": "contact.upserted", "occurred_at": "2026-03-10T09:15:00Z",
     "data": {"email": "asa@kund.se", "customer_number": "1001", "name": "Åsa Andersson",
              "role": "main_admin", "language": "sv", "authorised": true,
              "phone": "+46 8 123 45 67", "slack_user_id": "U0ASA0001", "services": ["Lön", "Ekonomi"]}}

``organisation.upserted`` carries ``customer_number`` and ``name``; ``contact.deactivated``
carries ``email``. In ``contact.upserted``, ``authorised`` defaults to true, and ``phone``,
``slack_user_id`` and ``services`` left out keep what is stored (null clears phone and
services). Values follow the CSV's vocabulary (bot/domain/directory/fields.py), so
``huvudadministratör`` and ``IT-ansvarig`` are roles here too. Field errors name their
place: ``data.email``, or ``events.3.data.email`` in a batch.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from bot.domain.directory import fields
from bot.domain.directory.events import EVENT_TYPES, DirectoryChange

MAX_EVENTS = 1000


def _checked(parse):
    def check(cls, value: Any) -> Any:
        try:
            return parse(value)
        except fields.FieldError as exc:
            raise ValueError(re.sub(r"^\w+ ", "", str(exc), count=1)) from None  # the field's name is in the loc
    return classmethod(check)


def _number_as_text(cls, value: Any) -> Any:
    # A customer number; the portal may send it as a JSON number.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,128}$")
    type: Literal[EVENT_TYPES]  # type: ignore[valid-type]
    occurred_at: AwareDatetime
    data: dict[str, Any]


class _Organisation(BaseModel):
    model_config = ConfigDict(extra="ignore")
    customer_number: str
    name: str
    _text = field_validator("customer_number", mode="before")(classmethod(_number_as_text))
    _number = field_validator("customer_number")(_checked(fields.customer_number))
    _name = field_validator("name")(_checked(lambda value: fields.text("name", value, required=True)))


class _Contact(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str
    customer_number: str
    name: str
    role: str
    language: str
    authorised: StrictBool = True
    phone: str | None = None
    slack_user_id: str | None = None
    services: list[str] | None = None
    _text = field_validator("customer_number", mode="before")(classmethod(_number_as_text))
    _email = field_validator("email")(_checked(fields.email))
    _number = field_validator("customer_number")(_checked(fields.customer_number))
    _name = field_validator("name")(_checked(lambda value: fields.text("name", value)))
    _role = field_validator("role")(_checked(fields.role))
    _language = field_validator("language")(_checked(fields.language))
    _phone = field_validator("phone")(_checked(lambda value: fields.phone(value) if value else None))
    _slack = field_validator("slack_user_id")(_checked(lambda value: fields.slack_user_id(value or "")))
    _services = field_validator("services")(_checked(lambda value: fields.services(value or [])))

    def columns(self) -> dict[str, Any]:
        values = {"name": self.name, "role": self.role, "language": self.language, "authorised": self.authorised}
        for key in ("phone", "services"):
            if key in self.model_fields_set:
                values[key] = getattr(self, key) if key == "phone" else list(self.services or [])
        if self.slack_user_id:
            values["slack_user_id"] = self.slack_user_id
        return values


class _Deactivated(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str
    _email = field_validator("email")(_checked(fields.email))


def parse_events(data: Any) -> tuple[list[DirectoryChange], dict[str, str]]:
    """The events of a body, or field errors as ``{"events.0.data.email": "is not an e-mail address"}``."""
    if is_batch(data):
        items = data["events"]
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_EVENTS:
            return [], {"events": f"must be a list of 1 to {MAX_EVENTS} events"}
        prefix = "events.{}."
    else:
        items, prefix = [data], ""
    changes, errors = [], {}
    for index, item in enumerate(items):
        change, found = parse_event(item)
        errors.update({prefix.format(index) + where: message for where, message in found.items()})
        if change is not None:
            changes.append(change)
    return (changes, {}) if not errors else ([], errors)


def is_batch(data: Any) -> bool:
    """Whether the body is ``{"events": […]}`` rather than one event."""
    return isinstance(data, dict) and "events" in data and "type" not in data


def parse_event(item: Any) -> tuple[DirectoryChange | None, dict[str, str]]:
    """One event, or all its field errors (the envelope's and the data's)."""
    if not isinstance(item, dict):
        return None, {"body": "an event must be a JSON object"}
    envelope, errors = _validated(_Envelope, item)
    model = _DATA.get(item.get("type"))  # type: ignore[arg-type]
    data, data_errors = _validated(model, item["data"], "data.") if model and isinstance(item.get("data"), dict) \
        else (None, {})
    errors |= data_errors
    if envelope is None or data is None:
        return None, errors
    common = {"event_id": envelope.id, "type": envelope.type, "occurred_at": envelope.occurred_at}
    if isinstance(data, _Organisation):
        return DirectoryChange(**common, customer_number=data.customer_number, name=data.name), {}
    if isinstance(data, _Contact):
        return DirectoryChange(**common, customer_number=data.customer_number, email=data.email,
                               values=data.columns()), {}
    return DirectoryChange(**common, email=data.email), {}


_DATA: dict[str, type[BaseModel]] = {"organisation.upserted": _Organisation, "contact.upserted": _Contact,
                                     "contact.deactivated": _Deactivated}


def _validated(model: type[BaseModel], value: Any, prefix: str = "") -> tuple[Any, dict[str, str]]:
    try:
        return model.model_validate(value), {}
    except ValidationError as exc:
        return None, _errors(exc, prefix)


def _errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        where = prefix + (".".join(str(part) for part in error["loc"]) or "body")
        errors.setdefault(where, error["msg"].removeprefix("Value error, "))
    return errors
