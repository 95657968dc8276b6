"""The API token lookup: the same user and organization the ORM would load, in one query, and
never a stale answer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifebuoy.accounts.models import ApiToken, Organization, User
from lifebuoy.accounts.people.services import person_deactivate
from lifebuoy.accounts.services import (
    _hash,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from lifebuoy.accounts.token_lookup import api_token_by_hash

pytestmark = pytest.mark.django_db


def _fields(instance: object, model: type[Model]) -> dict[str, object]:
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}


@pytest.mark.parametrize("who", ["alice", "bob"])  # a customer of Acme; staff (no organization)
def test_it_loads_what_the_orm_loads_in_one_query(who, request):
    user: User = request.getfixturevalue(who)
    token, secret = api_token_create(user=user, name="ci")
    ApiToken.objects.filter(id=token.id).update(last_used_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        found = api_token_by_hash(key_hash=_hash(secret))
        assert found is not None
        user_loaded = found.user
        organization = user_loaded.organization
    assert len(queries) == 1
    expected = ApiToken.objects.select_related("user__organization").get(id=token.id)
    assert _fields(found, ApiToken) == _fields(expected, ApiToken)
    assert _fields(user_loaded, User) == _fields(expected.user, User)
    if expected.user.organization is None:
        assert organization is None
    else:
        assert _fields(organization, Organization) == _fields(
            expected.user.organization, Organization
        )
    assert found.last_used_at is not None
    assert found.last_used_at.tzinfo is not None
    assert user_loaded.is_active is True
    user_loaded.full_name = "Renamed"
    user_loaded.save(update_fields=["full_name"])  # an ordinary instance: it saves
    assert User.objects.get(id=user.id).full_name == "Renamed"


def test_an_unknown_key_finds_nothing(db):
    assert api_token_by_hash(key_hash=_hash("lb_not-a-token")) is None


def test_a_revoked_token_or_a_deactivated_person_is_refused_at_once(alice, carol, lena):
    _, secret = api_token_create(user=alice, name="ci")
    now = timezone.now()
    assert api_token_authenticate(secret=secret, now=now) == alice
    api_token_revoke(user=alice, token_id=ApiToken.objects.get(user=alice).id)
    assert api_token_authenticate(secret=secret, now=now) is None

    _, secret = api_token_create(user=carol, name="ci")
    assert api_token_authenticate(secret=secret, now=now) == carol
    person_deactivate(actor=lena, person=carol)
    assert api_token_authenticate(secret=secret, now=now) is None
