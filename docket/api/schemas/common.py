"""Shared schema pieces: the error shape, safe input types (no NUL or unencodable characters, sane
dates, ids within the database's range) and the base class for request bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from docket.complaints.services.inputs import message
from docket.core.clock import SHANGHAI

MAX_ID = 2**53  # below every database's integer limit, and exact in JavaScript


def invalid(code: str) -> PydanticCustomError:
    """A validation problem with our stable code and message (`complaints.services.inputs.MESSAGES`)."""
    return PydanticCustomError(code, message(code))


def check_text(value: Any) -> Any:
    """Refuse text a database cannot store (PostgreSQL refuses NUL; lone surrogates are not UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise invalid("null_characters_not_allowed")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise invalid("unencodable") from exc
    elif isinstance(value, list | tuple):
        for item in value:
            check_text(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text(k)
            check_text(v)
    return value


def _sane_datetime(value: datetime) -> datetime:
    """Aware (naive input is Beijing time) and between 2000 and 2100, so time maths never overflows."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise invalid("datetime_out_of_range") from exc
    if not 2000 <= utc.year <= 2100:
        raise invalid("datetime_out_of_range")
    return value


ApiDateTime = Annotated[datetime, AfterValidator(_sane_datetime)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, AfterValidator(check_text)]


class InputSchema(Schema):
    """Base of every request body: unknown fields are refused, every text is storable."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        return check_text(value)


class FieldError(Schema):
    loc: list[str | int] = Field(description="where: body/query/path, then the field path")
    field: str = Field(description="the field path, dotted")
    message: str
    type: str = Field(description="machine-readable kind of problem")


class ErrorOut(Schema):
    """Every error response."""

    code: str = Field(description="stable machine-readable code, e.g. not_found, conflict, validation")
    message: str = Field(description="human-readable message (Chinese by default)")
    fields: list[FieldError] = Field(
        default_factory=list, description="for validation errors: each bad field"
    )


# The error statuses every operation documents (all with ErrorOut).
ERROR_STATUSES = frozenset({400, 401, 403, 404, 409, 413, 422, 429})
