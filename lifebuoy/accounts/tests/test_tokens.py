from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.accounts.models import ApiToken
from lifebuoy.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_a_person_creates_a_token_in_the_ui_sees_it_once_and_can_use_it(client, alice):
    client.force_login(alice)
    page = client.post("/accounts/tokens/", {"name": "alerts"})
    secret = page.context["secret"]
    assert secret.startswith("lb_")
    assert secret in page.content.decode()
    assert secret not in client.get("/accounts/tokens/").content.decode()
    api = Client(headers={"authorization": f"Bearer {secret}"})
    assert api.get("/api/me").json()["email"] == "alice@acme.example"


def test_only_a_hash_of_the_secret_is_stored(client, alice):
    client.force_login(alice)
    secret = client.post("/accounts/tokens/", {"name": "x"}).context["secret"]
    stored = ApiToken.objects.get()
    assert secret not in (stored.key_hash, stored.prefix)


def test_nobody_revokes_someone_elses_token(client, alice, charlie):
    client.force_login(alice)
    client.post("/accounts/tokens/", {"name": "mine"})
    token = ApiToken.objects.get()
    client.force_login(charlie)
    client.post(f"/accounts/tokens/{token.id}/revoke/")
    assert ApiToken.objects.filter(id=token.id).exists()
    client.force_login(alice)
    client.post(f"/accounts/tokens/{token.id}/revoke/")
    assert not ApiToken.objects.filter(id=token.id).exists()


def test_an_empty_token_name_is_a_form_error(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/tokens/", {"name": ""})
    assert response.status_code == HTTPStatus.OK
    assert "name" in response.context["form"].errors


@pytest.mark.parametrize(
    ("header", "signed_in"),
    [
        ("Bearer {secret}", True),
        ("bearer {secret}", True),  # the scheme's name is case-insensitive
        ("BEARER {secret}", True),
        ("Basic {secret}", False),
        ("Bearer", False),
        ("Bearer ", False),
        ("{secret}", False),
        ("Bearer {secret}x", False),
    ],
)
def test_the_api_reads_a_token_only_from_a_bearer_authorization(alice, header, signed_in):
    secret = api_token_create(user=alice, name="reader")[1]
    api = Client(headers={"authorization": header.format(secret=secret)})
    response = api.get("/api/me")
    if signed_in:
        assert response.json()["email"] == "alice@acme.example"
    else:
        assert response.status_code == HTTPStatus.UNAUTHORIZED
