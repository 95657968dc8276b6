"""Personas shared by every test.

alice: customer at Acme (Standard plan), its organization admin     carol: another customer at Acme
  (Acme lets its members see each other's tickets, as Premium plans do by default)
charlie: customer at Globex (another organization, its admin; must never see Acme's data)
ted: tier-1 agent   bob: tier-2 agent   lena: support lead   ada: admin   grace: engineer
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from lifebuoy.accounts.models import MemberTicketAccess, Organization, Role, User
from lifebuoy.accounts.services import api_token_create, organization_create
from lifebuoy.core.config_cache import config_cache_clear
from tests.chromium import chromium, chromium_browser

__all__ = ["chromium", "chromium_browser"]  # fixtures for the browser tests and the security suite


@pytest.fixture(autouse=True)
def _fresh_config_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's database starts over, so what is cached in memory (the configuration, the
    desk's view counts) does too, and a broker failure one test provoked does not keep the next
    from publishing (lifebuoy/core/tasks.py pauses publishing after one)."""
    config_cache_clear()
    cache.clear()
    monkeypatch.setattr("lifebuoy.core.tasks._broker_paused_until", 0.0)


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def acme(db: None) -> Organization:
    org = organization_create(
        name="Acme", slug="acme", plan="cloud_professional", timezone="Europe/Berlin"
    )
    org.member_ticket_access = MemberTicketAccess.ORGANIZATION
    org.save(update_fields=["member_ticket_access"])
    return org


@pytest.fixture
def globex(db: None) -> Organization:
    return organization_create(
        name="Globex", slug="globex", plan="enterprise", timezone="Asia/Kolkata"
    )


def _user(
    email: str,
    role: str,
    org: Organization | None = None,
    tier: int | None = None,
    *,
    org_admin: bool = False,
) -> User:
    return User.objects.create_user(
        email,
        "pw-for-tests-1",
        full_name=email.split("@", maxsplit=1)[0].title(),
        role=role,
        tier=tier,
        organization=org,
        is_organization_admin=org_admin,
    )


@pytest.fixture
def alice(acme: Organization) -> User:
    return _user("alice@acme.example", Role.CUSTOMER, acme, org_admin=True)


@pytest.fixture
def carol(acme: Organization) -> User:
    return _user("carol@acme.example", Role.CUSTOMER, acme)


@pytest.fixture
def charlie(globex: Organization) -> User:
    return _user("charlie@globex.example", Role.CUSTOMER, globex, org_admin=True)


@pytest.fixture
def ted(db: None) -> User:
    return _user("ted@lifebuoy.test", Role.AGENT, tier=1)


@pytest.fixture
def bob(db: None) -> User:
    return _user("bob@lifebuoy.test", Role.AGENT, tier=2)


@pytest.fixture
def lena(db: None) -> User:
    return _user("lena@lifebuoy.test", Role.LEAD)


@pytest.fixture
def grace(db: None) -> User:
    return _user("grace@lifebuoy.test", Role.ENGINEER)


@pytest.fixture
def ada(db: None) -> User:
    user = _user("ada@lifebuoy.test", Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def api() -> Callable[[User], Client]:
    """A client that authenticates with a fresh API token of ``user``."""

    def make(user: User) -> Client:
        _, secret = api_token_create(user=user, name="tests")
        return Client(headers={"authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def published_tasks() -> Iterator[list[str]]:
    """The names of the tasks that commits send to the broker, caught instead of sent."""
    names: list[str] = []
    with mock.patch(
        "lifebuoy.core.tasks._publish",
        side_effect=lambda jobs: names.extend(job.task.name for job in jobs),
    ):
        yield names
