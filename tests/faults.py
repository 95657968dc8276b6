"""Losing the database connection on purpose (PostgreSQL): the server ends the calling thread's
backend, as ``pg_terminate_backend`` by an operator, a failover or a pooler's restart would.

Used by tests marked with ``tests.concurrency.threaded_db_test`` (they commit for real). The
caller's connection is dead afterwards; Django notices on its next query (an error) or when
``connection.close()`` is called, and the next query after that reconnects.
"""

from __future__ import annotations

import threading

from django.db import connection, connections

TIMEOUT_SECONDS = 10


def backend_pid() -> int:
    """The server process of this thread's connection (connecting first if need be)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def terminate_backend(pid: int) -> None:
    """End backend ``pid`` from a second connection and wait until it is gone (bounded)."""
    ended: list[bool] = []

    def terminate() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, %s)", [pid, TIMEOUT_SECONDS * 1000])
                row = cursor.fetchone()
                ended.append(bool(row and row[0]))
        finally:
            connections["default"].close()

    thread = threading.Thread(target=terminate, name="terminate-backend")
    thread.start()
    thread.join(TIMEOUT_SECONDS + 5)
    if ended != [True]:
        raise AssertionError(f"backend {pid} was not terminated")
