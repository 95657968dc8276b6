"""A worker keeps its PostgreSQL connection from one task to the next, and still drops one that
is too old, as a web process does between requests."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from celery.signals import task_postrun, task_prerun
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a kept connection is PostgreSQL's (SQLite's test database lives in memory)",
    ),
]


def _task(*, is_eager: bool = False) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=is_eager))


def _run_task() -> None:
    """What the worker announces around a task; the task itself reads the database."""
    task = _task()
    task_prerun.send(sender=None, task_id="t", task=task)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    task_postrun.send(sender=None, task_id="t", task=task)


def test_the_next_task_uses_the_same_connection():
    _run_task()
    backend = connection.connection
    _run_task()
    _run_task()
    assert backend is not None
    assert connection.connection is backend


def test_a_connection_older_than_conn_max_age_is_replaced_before_the_next_task():
    _run_task()
    backend = connection.connection
    connection.close_at = time.monotonic() - 1  # CONN_MAX_AGE has passed
    _run_task()
    assert backend.closed
    assert connection.connection is not None
    assert connection.connection is not backend


def test_a_connection_left_in_a_broken_state_is_closed_after_its_task():
    _run_task()
    connection.errors_occurred = True
    connection.connection.close()  # the server went away under the worker
    task_postrun.send(sender=None, task_id="t", task=_task())
    assert connection.connection is None
    _run_task()  # the next task gets a new connection and works
    assert connection.connection is not None
