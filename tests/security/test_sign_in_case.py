"""An email address signs in whatever its case, and the lockout counts failures per address,
not per spelling of it."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory

from lifebuoy.accounts.auth import axes_username
from lifebuoy.accounts.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def amara(db: None) -> User:
    return User.objects.create_user(
        "amara@banyan.example", PASSWORD, full_name="Amara", role=Role.LEAD
    )


@pytest.mark.parametrize(
    "typed",
    [
        "amara@banyan.example",
        "Amara@Banyan.Example",
        "AMARA@BANYAN.EXAMPLE",
        " Amara@banyan.example ",
    ],
)
def test_the_sign_in_form_takes_any_case(client: Client, amara: User, typed: str) -> None:
    response = client.post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND, response.content[:500]
    assert client.session["_auth_user_id"] == str(amara.id)


def test_authenticate_takes_any_case(amara: User) -> None:
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username="Amara@Banyan.Example", password=PASSWORD)
    assert user == amara


def test_the_admin_sign_in_takes_any_case(client: Client, amara: User) -> None:
    amara.is_staff = True
    amara.save(update_fields=["is_staff"])
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "AMARA@banyan.example", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == HTTPStatus.FOUND, response.content[:500]


def test_the_lockout_counts_every_spelling_of_one_address(client: Client, amara: User) -> None:
    spellings = ["Amara@Banyan.Example", "amara@banyan.example", "AMARA@banyan.example"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        typed = spellings[attempt % len(spellings)]
        client.post("/accounts/login/", {"username": typed, "password": "wrong"})
    usernames = set(AccessAttempt.objects.values_list("username", flat=True))
    assert usernames == {"amara@banyan.example"}
    response = client.post(
        "/accounts/login/", {"username": "aMaRa@banyan.example", "password": PASSWORD}
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS  # locked out, right password too
    assert "_auth_user_id" not in client.session


def test_the_axes_username_is_the_normalized_address() -> None:
    request = RequestFactory().post("/accounts/login/", {"username": " Amara@Banyan.Example "})
    assert axes_username(request, None) == "amara@banyan.example"
    assert axes_username(request, {"username": "X@Y.Example"}) == "x@y.example"


def test_addresses_stored_with_capitals_are_lower_cased_unless_taken(amara: User) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("lifebuoy.accounts.migrations.0004_lowercase_emails")
    User.objects.filter(id=amara.id).update(email="Amara@Banyan.Example")
    twin = User.objects.create_user("bo@banyan.example", PASSWORD, role=Role.LEAD)
    clash = User.objects.create_user("other@banyan.example", PASSWORD, role=Role.LEAD)
    User.objects.filter(id=clash.id).update(email="BO@banyan.example")
    migration.lowercase_emails(apps, None)
    emails = dict(User.objects.values_list("id", "email"))
    assert emails[amara.id] == "amara@banyan.example"
    assert emails[twin.id] == "bo@banyan.example"
    assert emails[clash.id] == "BO@banyan.example"  # left for a person to decide


def test_the_admin_stores_an_address_lower_cased(amara: User) -> None:
    amara.email = " Amara@Banyan.Example "
    amara.clean()
    assert amara.email == "amara@banyan.example"
