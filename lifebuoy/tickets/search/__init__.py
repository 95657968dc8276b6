"""Full-text search over tickets and their conversations, behind one interface.

The engine follows the database: PostgreSQL full-text search (``postgres.py``) or SQLite FTS5
(``sqlite.py``); both take the same parsed query (``query.py``) and keep the same two
documents per ticket, everything for staff and the public part for customers. Callers use
``selectors.py`` (searching, similar tickets) and ``ticket_text_match`` (the desk's filter);
``indexing.py`` keeps the index in step, inside the transaction of each ticket change.
Another engine would be one more class implementing ``base.SearchBackend``.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from lifebuoy.accounts.models import User

from .base import Hit, SearchBackend, Within
from .postgres import PostgresBackend
from .query import QUERY_MAX, TERMS_MAX, SearchQuery, search_query_parse
from .sqlite import SqliteBackend

__all__ = [
    "QUERY_MAX",
    "TERMS_MAX",
    "Hit",
    "SearchBackend",
    "SearchQuery",
    "Within",
    "backend_for",
    "search_query_parse",
    "ticket_text_match",
]

_BACKENDS: dict[str, SearchBackend] = {
    "sqlite": SqliteBackend(),
    "postgresql": PostgresBackend(),
}


def backend_for(conn: Any = connection) -> SearchBackend:
    try:
        return _BACKENDS[conn.vendor]
    except KeyError:
        raise RuntimeError(f"No ticket search engine for {conn.vendor}") from None


def ticket_text_match(*, user: User, text: str) -> Q:
    """The tickets whose words ``user`` may read match ``text`` (search syntax), or whose
    number it is; to be combined with the other filters of a list. Raises ValidationFailed
    (field ``q``) for a query that is too long."""
    query = search_query_parse(text)
    match = Q(pk__in=[])
    if not query.is_empty:
        sql, params = backend_for().match_sql(query, public_only=not user.is_support_staff)
        match |= Q(id__in=RawSQL(sql, tuple(params)))  # noqa: S611 - constant SQL, values as parameters
    if query.number is not None:
        match |= Q(id=query.number)
    return match
