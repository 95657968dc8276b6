"""Pieces shared by the apps' API schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator


def _as_utc(value: datetime) -> datetime:
    """A time a client sent, in UTC: without an offset it is read as UTC, and any offset is
    converted away, since PostgreSQL refuses offsets past ±15:59 that ISO 8601 allows."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00-01:00 is before year 1 in UTC
        raise ValueError("This time is out of range.") from exc


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
"""Use for every datetime an API input takes (query, path or body)."""


class ErrorOut(Schema):
    """Every 4xx the API gives: a stable ``code``, a sentence, and details such as
    ``extra.fields`` (one message per invalid field)."""

    code: str
    message: str
    extra: dict[str, Any]
