"""Django's PostgreSQL backend, checking a kept connection without a query.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
(and, in a worker, of every task) on a connection it kept from the one before: a round trip,
about a tenth of a millisecond of CPU in the web process and some in PostgreSQL, on every
request. An idle connection has nothing to read. When the server ends it — a restart, a
failover, ``pg_terminate_backend``, an idle timeout — it sends the reason and closes the
socket, which then reads as ready. So the socket is polled first, without waiting: quiet means
usable, and only a connection with something waiting gets Django's ``SELECT 1``, which then
fails and has the connection replaced, as before. A server that vanished without a word would
have kept ``SELECT 1`` waiting too; the first query then fails and the next request connects
anew.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


def has_input(fileno: int) -> bool:
    """Whether the socket has bytes (or its end) waiting to be read, without waiting."""
    readable, _, _ = select.select([fileno], [], [], 0)
    return bool(readable)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            quiet = not has_input(connection.fileno())
        except (OSError, ValueError):
            return False
        return quiet or bool(super().is_usable())
