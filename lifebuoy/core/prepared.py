"""Statements sent on every request, prepared once per PostgreSQL connection.

Django's PostgreSQL backend binds parameters on the client, so the server parses and plans every
statement anew. For the few statements the hottest paths send every time (the API token's join,
the rows of a new ticket), planning is most of what PostgreSQL spends on them: the token's
three-table join costs the server about 0.35 ms planned each time and under 0.1 ms prepared
(bench/RESULTS.md). ``prepared_cursor`` gives a cursor whose statements are sent with their
parameters bound on the server and prepared on the connection the first time each is run, then
executed by name.

The cursor is still Django's wrapper: errors are Django's, ``execute_wrapper`` sees each
statement, and the connection is checked and opened as for any other query. While Django logs
queries (``DEBUG``, the tests' query capture) it is an ordinary cursor, so that the log shows
each statement with its values; so it is on SQLite, and with ``LIFEBUOY_DB_PREPARE=0`` for a
connection pooler that cannot keep prepared statements (PgBouncer in transaction mode before
1.21).

Only for statements that name their columns (no ``SELECT *``): a prepared statement whose result
columns change under it fails, and one that names its columns keeps them until a column's type
changes. Strings are sent with an unknown type for the server to infer, which a variadic
function such as ``concat_ws`` refuses: those statements stay with ``connection.cursor()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connections
from django.db.backends.utils import CursorWrapper

_NEVER_BY_COUNT = 2**31


@cache
def _preparing_cursor_class() -> type[Any]:
    import psycopg

    class PreparingCursor(psycopg.Cursor[Any]):
        """Binds on the server and prepares every statement it runs."""

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            options.setdefault("prepare", True)
            return super().execute(query, params, **options)

    return PreparingCursor


def _prepares(alias: str) -> bool:
    connection = connections[alias]
    return (
        connection.vendor == "postgresql"
        and settings.LIFEBUOY_DB_PREPARE
        and connection.settings_dict["OPTIONS"].get("server_side_binding") is not True
    )


# One preparing cursor per database connection, reused statement after statement (a psycopg
# cursor runs one statement at a time: one in use is not lent again).
_idle: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


@contextmanager
def prepared_cursor(alias: str = "default") -> Iterator[CursorWrapper]:
    """A Django cursor for ``alias`` whose statements PostgreSQL prepares once per connection."""
    connection = connections[alias]
    if _prepares(alias) and not connection.queries_logged:
        # The connection's idle preparing cursor, wrapped as ``connection.cursor()`` wraps a
        # new one (health check, connecting, thread check), without making a cursor to drop.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        raw = connection.connection
        idle = _idle.pop(raw, None)
        if idle is not None and not idle.closed:
            connection.validate_thread_sharing()
            try:
                yield connection.make_cursor(idle)  # the query log is off (checked above)
            finally:
                _idle[raw] = idle
            return
    wrapper = connection.cursor()
    with wrapper:
        plain = wrapper.cursor
        prepared = _take(plain) if _prepares(alias) and not connection.queries_logged else None
        if prepared is None:
            yield wrapper
            return
        wrapper.cursor = prepared
        try:
            yield wrapper
        finally:
            wrapper.cursor = plain  # closed on leaving; the preparing one waits for the next
            _idle[plain.connection] = prepared


def _take(plain: Any) -> Any:
    """The connection's idle preparing cursor, or a new one; None when it would not read values
    as ``plain`` does: Django registers a time zone on a cursor whose connection disagrees with
    it, and the preparing cursor reads with the connection's own loaders (they agree with
    USE_TZ and the database in UTC)."""
    prepared = _idle.pop(plain.connection, None)
    if prepared is not None and not prepared.closed:
        return prepared
    prepared = _preparing_cursor_class()(plain.connection)
    if not _loads_alike(plain, prepared):
        return None
    _allow_preparing(plain.connection)
    return prepared


def _allow_preparing(connection: Any) -> None:
    """Django turns psycopg's preparing off (``prepare_threshold`` None) so that nothing is
    prepared behind a pooler's back. A threshold no statement reaches keeps its other cursors
    (client-side binding, which never prepare anyway) as they are and lets this one prepare
    what it asks for."""
    if connection.prepare_threshold is None:
        connection.prepare_threshold = _NEVER_BY_COUNT


def _loads_alike(plain: Any, prepared: Any) -> bool:
    from psycopg.pq import Format

    timestamptz = plain.adapters.types["timestamptz"].oid
    return bool(
        plain.adapters.get_loader(timestamptz, Format.TEXT)
        is prepared.adapters.get_loader(timestamptz, Format.TEXT)
    )
