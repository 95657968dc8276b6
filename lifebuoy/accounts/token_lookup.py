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

from functools import cache

from django.db import connections

from lifebuoy.core.planned import ModelColumns, model_columns
from lifebuoy.core.prepared import prepared_cursor

from .models import ApiToken, Organization, User


@cache
def _plan(alias: str) -> tuple[str, tuple[ModelColumns, ModelColumns, ModelColumns]]:
    quote = connections[alias].ops.quote_name
    parts = (
        model_columns(ApiToken, "t", alias),
        model_columns(User, "u", alias),
        model_columns(Organization, "o", alias),
    )
    # Names come from the models; the key is a parameter.
    statement = (
        f"SELECT {', '.join(part.select for part in parts)} "  # noqa: S608
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
    user_at = token_part.width
    organization_at = user_at + user_part.width
    token = token_part.build(row[:user_at], ApiToken)
    user = user_part.build(row[user_at:organization_at], User)
    organization = (
        None
        if user.organization_id is None
        else organization_part.build(row[organization_at:], Organization)
    )
    User.organization.field.set_cached_value(user, organization)
    ApiToken.user.field.set_cached_value(token, user)
    return token
