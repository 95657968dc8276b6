"""The PostgreSQL backend keeps a quiet connection without asking the server, and still
replaces one the server has ended before the next request uses it."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.backends.postgresql import base as django_postgresql

from tests.faults import backend_pid, terminate_backend

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


def _request() -> int:
    """A request's life as the handler signals it, reading the backend's pid."""
    request_started.send(sender=None)
    try:
        return backend_pid()
    finally:
        request_finished.send(sender=None)


def test_a_quiet_kept_connection_is_used_without_a_query_first():
    first = _request()
    with mock.patch.object(
        django_postgresql.DatabaseWrapper, "is_usable", return_value=False
    ) as select_one:
        second = _request()
        third = _request()
    assert select_one.call_count == 0
    assert first == second == third


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_uses_it():
    ended = _request()
    terminate_backend(ended)
    assert connection.is_usable() is False
    replaced = _request()
    assert replaced != ended
    assert _request() == replaced
