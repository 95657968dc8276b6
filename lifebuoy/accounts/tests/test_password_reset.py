"""Password reset by an emailed link: queued through the outbox, the same answer for any
address, a link that works once and expires; sign-in ignores the case of the address."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.models import Delivery

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)")
NEW = "a-new-Passphrase-42"


def _request(client: Client, email: str) -> Delivery | None:
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/password/reset/sent/"
    return Delivery.objects.filter(idempotency_key__startswith="email:password-reset:").last()


def _link(delivery: Delivery | None) -> str:
    assert delivery is not None
    match = LINK.search(delivery.payload["text"])
    assert match is not None, delivery.payload["text"]
    return match[1]


def test_a_known_address_gets_a_link_through_the_outbox(client, alice, mailoutbox):
    delivery = _request(client, "  ALICE@acme.example ")
    assert delivery is not None
    assert delivery.target == "alice@acme.example"
    assert delivery.ticket_id is None
    assert delivery.payload["subject"] == "Reset your Lifebuoy password"
    assert "within 2 hours" in delivery.payload["text"]
    assert mailoutbox == []  # queued, not sent from the request


def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, alice):
    known = client.post("/accounts/password/reset/", {"email": "alice@acme.example"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@acme.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Delivery.objects.filter(target="nobody@acme.example").count() == 0


def test_deactivated_people_and_login_only_addresses_get_no_link(client, alice, acme):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    User.objects.create_user("gh-octo@github.invalid", None, role=Role.CUSTOMER, organization=acme)
    assert _request(client, "alice@acme.example") is None
    assert _request(client, "gh-octo@github.invalid") is None


def test_the_link_sets_a_password_once(client, alice):
    link = _link(_request(client, "alice@acme.example"))
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/accounts/password/reset/complete/"
    alice.refresh_from_db()
    assert alice.check_password(NEW)

    again = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in again


def test_a_weak_or_mismatched_password_is_a_field_error(client, alice):
    link = _link(_request(client, "alice@acme.example"))
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == HTTPStatus.OK
    assert "new_password2" in weak.context["form"].errors
    mismatch = client.post(set_url, {"new_password1": NEW, "new_password2": NEW + "x"})
    assert "didn’t match" in mismatch.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw-for-tests-1")


def test_the_link_expires(client, alice):
    with time_machine.travel("2026-11-24 10:00Z"):
        link = _link(_request(client, "alice@acme.example"))
    with time_machine.travel("2026-11-24 12:01Z"):
        page = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in page


def test_someone_known_only_by_email_chooses_a_first_password(client, acme):
    person = User.objects.create_user(
        "new@acme.example", None, role=Role.CUSTOMER, organization=acme
    )
    assert not person.has_usable_password()
    link = _link(_request(client, "new@acme.example"))
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_a_bad_address_is_a_field_error(client):
    response = client.post("/accounts/password/reset/", {"email": "not an address"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]


def test_sign_in_ignores_the_case_of_the_address(client, alice):
    signed_in = client.post(
        "/accounts/login/", {"username": "  Alice@ACME.example", "password": "pw-for-tests-1"}
    )
    assert signed_in.status_code == HTTPStatus.FOUND


def test_an_address_stored_with_capitals_before_still_signs_in(client, acme):
    # What the lower-casing migration left alone: the lower-cased form belonged to another.
    User.objects.create_user(
        "dup@acme.example", "pw-for-tests-1", role="customer", organization=acme
    )
    legacy = User.objects.create_user(
        "x@acme.example", "other-pw-1", role="customer", organization=acme
    )
    User.objects.filter(id=legacy.id).update(email="Dup@Acme.example")
    ok = client.post("/accounts/login/", {"username": "Dup@Acme.example", "password": "other-pw-1"})
    assert ok.status_code == HTTPStatus.FOUND
    assert int(client.session["_auth_user_id"]) == legacy.id


def test_the_sign_in_page_says_what_to_do_without_an_account(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Ask your organization's admin to invite you" in page
    assert 'href="/accounts/password/reset/"' in page
