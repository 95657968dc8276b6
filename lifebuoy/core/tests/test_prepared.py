"""prepared_cursor: the same rows and errors as an ordinary cursor; on PostgreSQL each statement
is prepared once per connection, and not at all when the setting turns it off."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from lifebuoy.accounts.models import Organization
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.notifications.models import Delivery

pytestmark = pytest.mark.django_db

STATEMENT = 'SELECT "id", "name", "created_at" FROM "accounts_organization" WHERE "id" = %s'


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _read(organization_id: int) -> tuple[object, ...] | None:
    with prepared_cursor() as cursor:
        cursor.execute(STATEMENT, [organization_id])
        return cursor.fetchone()


def test_it_reads_what_an_ordinary_cursor_reads(acme):
    with connection.cursor() as cursor:
        cursor.execute(STATEMENT, [acme.id])
        expected = cursor.fetchone()
    assert _read(acme.id) == expected
    assert _read(acme.id) == expected
    assert _read(-1) is None


def test_two_open_at_once_each_read_their_own_rows(acme, globex):
    with prepared_cursor() as outer:
        outer.execute(STATEMENT, [acme.id])
        assert _read(globex.id) == _read(globex.id)
        with prepared_cursor() as inner:
            inner.execute(STATEMENT, [globex.id])
            assert outer.fetchone()[1] == acme.name
            assert inner.fetchone()[1] == globex.name


def test_djangos_query_log_shows_each_statement_with_its_values(acme):
    with CaptureQueriesContext(connection) as queries:
        _read(acme.id)
        _read(acme.id)
    assert [q["sql"] for q in queries.captured_queries] == [
        STATEMENT.replace("%s", str(acme.id))
    ] * 2


def test_a_broken_constraint_is_djangos_integrity_error(acme):
    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(
            'UPDATE "accounts_organization" SET "name" = NULL WHERE "id" = %s', [acme.id]
        )
    assert Organization.objects.get(id=acme.id).name == acme.name
    assert _read(acme.id) is not None  # the connection is still usable


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_postgresql_prepares_each_statement_once_per_connection(acme):
    _read(acme.id)
    _read(acme.id)
    prepared = [s for s in _prepared_statements() if '"accounts_organization"' in s]
    assert len(prepared) == 1
    assert "$1" in prepared[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
def test_it_reprepares_after_a_rollback_cleared_the_connections_statements(acme):
    _read(acme.id)
    with transaction.atomic():
        _read(acme.id)
        transaction.set_rollback(True)
    assert _read(acme.id) is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares")
@override_settings(LIFEBUOY_DB_PREPARE=False)
def test_nothing_is_prepared_when_the_setting_is_off(acme):
    _read(acme.id)
    _read(acme.id)
    assert not [s for s in _prepared_statements() if '"accounts_organization"' in s]


def test_insert_rows_stores_through_it_what_create_stores(delivery_values):
    values = delivery_values
    by_orm = Delivery.objects.create(idempotency_key="orm", **values)
    (first,) = insert_rows([Delivery(idempotency_key="first", **values)])
    (second,) = insert_rows([Delivery(idempotency_key="second", **values)])
    (again,) = insert_rows([Delivery(idempotency_key="second", **values)], ignore_conflicts=True)
    skipped: object = again.pk
    assert skipped is None  # the duplicate was skipped
    rows = Delivery.objects.filter(id__in=[by_orm.pk, first.pk, second.pk]).values()
    kept = {"id", "idempotency_key"}
    assert len({tuple((k, repr(v)) for k, v in row.items() if k not in kept) for row in rows}) == 1
    assert Delivery.objects.filter(idempotency_key="second").count() == 1
    if connection.vendor == "postgresql":
        table = '"notifications_delivery"'
        inserts = [s for s in _prepared_statements() if s.startswith(f"INSERT INTO {table}")]
        assert len(inserts) == 2  # the insert, and the one that skips a conflict
