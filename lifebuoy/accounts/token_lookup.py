"""Finding the API token a request presents, with its user and the user's organization, in one
query on every API call.

The ORM would build the same three-table join again for each request, which costs more CPU than
the database spends answering it. Here the statement and the conversion of each column (the
same converters the ORM applies, e.g. SQLite's text to datetimes) are worked out once per
process and database from the models' fields, and rows become instances through
``Model.from_db`` as the ORM's own do. Nothing is cached but that plan: the rows are read fresh
every time, so a revoked token or a deactivated person is refused on the very next request.
PostgreSQL prepares the statement once per connection (``lifebuoy.core.prepared``): planning
the join each time cost it more than running it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections
from django.db.models import Model
from django.db.models.expressions import Col

from lifebuoy.core.prepared import prepared_cursor

from .models import ApiToken, Organization, User

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    """One model's columns in the joined row."""

    model: type[Model]
    names: list[str]
    columns: list[tuple[Col, list[Converter]]]

    def build(self, alias: str, values: Sequence[Any]) -> Any:
        connection = connections[alias]
        converted = []
        for raw, (col, converters) in zip(values, self.columns, strict=True):
            value = raw
            for convert in converters:
                value = convert(value, col, connection)
            converted.append(value)
        return self.model.from_db(alias, self.names, converted)


@cache
def _plan(alias: str) -> tuple[str, list[_Part]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    parts: list[_Part] = []
    selected: list[str] = []
    for table_alias, model in (("t", ApiToken), ("u", User), ("o", Organization)):
        fields = model._meta.concrete_fields
        columns = []
        for field in fields:
            col = Col(table_alias, field)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            columns.append((col, converters))
            selected.append(f"{table_alias}.{quote(field.column)}")
        parts.append(_Part(model, [field.attname for field in fields], columns))
    # Names come from the models; the key is a parameter.
    statement = (
        f"SELECT {', '.join(selected)} "  # noqa: S608
        f"FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Organization._meta.db_table)} o ON o.id = u.organization_id "
        "WHERE t.key_hash = %s"
    )
    return statement, parts


def api_token_by_hash(*, key_hash: str, using: str = "default") -> ApiToken | None:
    """The token stored under ``key_hash`` with ``token.user`` and its ``organization`` loaded
    (no further query to reach them), or None."""
    statement, (token_part, user_part, organization_part) = _plan(using)
    with prepared_cursor(using) as cursor:
        cursor.execute(statement, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    user_at = len(token_part.names)
    organization_at = user_at + len(user_part.names)
    token: ApiToken = token_part.build(using, row[:user_at])
    user: User = user_part.build(using, row[user_at:organization_at])
    organization = (
        None
        if user.organization_id is None
        else organization_part.build(using, row[organization_at:])
    )
    User.organization.field.set_cached_value(user, organization)
    ApiToken.user.field.set_cached_value(token, user)
    return token
