"""Reading a model's row out of a hand-written statement, the columns worked out once per process.

The ORM compiles a query anew on every call, which on a hot path costs more CPU than the
database spends answering it. A statement written once (e.g. a join of three tables) needs two
things per model: the list of its columns to select, and the conversion of each value, the same
converters the ORM applies (SQLite's text to datetimes, for one). ``model_columns`` gives both,
and ``ModelColumns.build`` turns the values into an instance through ``Model.from_db``, as the
ORM's own rows are built. Nothing but that plan is kept: the rows are read fresh every time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class ModelColumns:
    """A model's concrete columns under one table alias of a statement."""

    model: type[Model]
    using: str
    select: str  # the columns for the SELECT list: t."id", t."subject", ...
    names: tuple[str, ...]  # their attribute names, in that order
    columns: tuple[tuple[Col, tuple[Converter, ...]], ...]

    @property
    def width(self) -> int:
        return len(self.names)

    def build(self, values: Sequence[Any], model: type[M]) -> M:
        """An instance of ``model`` (this plan's model) from its part of a row."""
        if model is not self.model:
            raise TypeError(f"these columns are {self.model._meta.label}'s")
        connection = connections[self.using]
        converted = []
        for raw, (col, converters) in zip(values, self.columns, strict=True):
            value = raw
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        return model.from_db(self.using, list(self.names), converted)


@cache
def model_columns(model: type[Model], table_alias: str, using: str = "default") -> ModelColumns:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    columns = []
    for field in fields:
        col = Col(table_alias, field)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        columns.append((col, tuple(converters)))
    return ModelColumns(
        model=model,
        using=using,
        select=", ".join(f"{table_alias}.{quote(field.column)}" for field in fields),
        names=tuple(field.attname for field in fields),
        columns=tuple(columns),
    )
