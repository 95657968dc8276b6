"""Signing in, the lockout, and where home sends each role."""

from __future__ import annotations

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


def test_home_sends_each_role_to_its_place(client, alice, ted):
    assert client.get("/").url == "/accounts/login/"
    client.force_login(alice)
    assert client.get("/").url == "/portal/"
    client.force_login(ted)
    assert client.get("/").url == "/desk/"


def test_sign_in_with_email_and_password(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "alice@acme.example", "password": "pw-for-tests-1"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/portal/").status_code == HTTPStatus.OK


def test_repeated_failed_sign_ins_lock_the_account_out(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "alice@acme.example", "password": "nope"})
    locked = client.post(
        "/accounts/login/", {"username": "alice@acme.example", "password": "pw-for-tests-1"}
    )
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many sign-in attempts" in locked.content.decode()
