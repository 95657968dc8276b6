"""Pieces shared by the apps' API schemas."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Self

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import AfterValidator, ModelWrapValidatorHandler, ValidationInfo, model_validator


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


class PlainSchema(Schema):
    """A schema pydantic validates from plain dicts where it can, instead of through
    django-ninja's getter.

    django-ninja reads every value it validates through a getter written in Python (a
    resolver lookup, the attribute, a check of what the value is), dicts included, and again
    for each nested schema: for a ticket that cost several times what pydantic spends
    validating the same values from a dict. Here a dict is taken as the final values, with no
    resolvers run, and any other object goes through ``plain_of`` first: a subclass's dict of
    its final values, or None to fall back on the getter."""

    @classmethod
    def plain_of(cls, obj: Any) -> dict[str, Any] | None:
        return None

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        if isinstance(values, dict):
            return handler(values)
        plain = cls.plain_of(values)
        if plain is not None:
            return handler(plain)
        return handler(DjangoGetter(values, cls, info.context))


class PlainOut(PlainSchema):
    """A response schema whose ``plain_of`` reads the objects it answers for. A field missing
    from that dict fails validation at once, so the two cannot drift apart quietly."""


class PlainIn(PlainSchema):
    """An input schema validated straight from the JSON object a client sent (inputs have no
    resolvers): the values and the errors are the same as through the getter, for less CPU on
    every write."""
