"""Macros for tests, written as rows (the services are what the tests are about)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lifebuoy.macros.models import Audience, Macro
from lifebuoy.tickets.tests.factories import ticket_opened

MakeMacro = Callable[..., Macro]


@pytest.fixture
def ticket(alice, now):
    return ticket_opened(alice, now, subject="C2 stopped committing", tags=("acme",))


@pytest.fixture
def make_macro(now) -> MakeMacro:
    """``make_macro("Name", owner=ted)`` for a personal macro, ``audience=...`` for a shared one."""

    def make(name: str, *, owner=None, audience: str = "", **fields: Any) -> Macro:
        if owner is None and not audience:
            audience = Audience.EVERYONE
        fields.setdefault("body", f"Hello {{customer_name}}, this is {name}.")
        return Macro.objects.create(
            name=name, owner=owner, audience=audience, created_at=now, **fields
        )

    return make
