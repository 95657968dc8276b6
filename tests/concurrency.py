"""Tests in which several threads hold database connections at once (PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pytest
from django.conf import settings
from django.db import connection

# Such tests commit for real, so their tables are emptied afterwards: the project's own apps only,
# so content types and permissions keep their ids, and the serialized database (the migrations'
# seed rows) is restored before each of them.
PROJECT_APPS = [app for app in settings.INSTALLED_APPS if app.startswith("lifebuoy.")]

F = TypeVar("F", bound=Callable[..., object])


def threaded_db_test(test: F) -> F:
    marked = pytest.mark.django_db(
        transaction=True, serialized_rollback=True, available_apps=PROJECT_APPS
    )(test)
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    )(marked)
