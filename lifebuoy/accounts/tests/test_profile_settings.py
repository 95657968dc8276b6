"""The profile's name and email choices, the password change, and a change of sign-in address
that takes effect only through the link sent to the new address."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from lifebuoy.accounts.models import EmailChange
from lifebuoy.accounts.services import email_change_confirm, email_change_request
from lifebuoy.core.errors import InvalidState, NotFound, ValidationFailed
from lifebuoy.notifications.models import Delivery

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/email/confirm/[^\s/]+/)")
PROFILE = {"full_name": "Alice Liddell", "timezone": "", "email_surveys": "on"}


def test_a_customer_saves_name_and_email_choices(client, carol):
    client.force_login(carol)
    page = client.get("/accounts/profile/").content.decode()
    assert "Support&#x27;s replies" in page
    assert "quarterly business review" not in page  # for organization admins only
    assert client.post("/accounts/profile/", PROFILE).status_code == HTTPStatus.FOUND
    carol.refresh_from_db()
    assert carol.full_name == "Alice Liddell"
    assert (carol.email_ticket_updates, carol.email_surveys) == (False, True)
    assert carol.email_business_reviews  # not asked, so not changed


def test_an_organization_admin_chooses_the_business_review_too(client, charlie, alice):
    client.force_login(alice)  # Acme is Standard: it gets no reviews
    assert "quarterly business review" not in client.get("/accounts/profile/").content.decode()
    client.force_login(charlie)  # Globex's admin, on Enterprise
    assert "quarterly business review" in client.get("/accounts/profile/").content.decode()
    client.post("/accounts/profile/", PROFILE)
    charlie.refresh_from_db()
    assert not charlie.email_business_reviews


def test_staff_are_sent_to_their_notification_settings(client, ted):
    client.force_login(ted)
    page = client.get("/accounts/profile/").content.decode()
    assert "/desk/notifications/preferences/" in page
    assert "email_surveys" not in page


def test_a_name_too_long_is_a_field_error(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/profile/", {**PROFILE, "full_name": "x" * 201})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["full_name"]


def test_the_password_change_needs_the_current_password(client, alice):
    client.force_login(alice)
    wrong = client.post(
        "/accounts/password/",
        {
            "old_password": "nope",
            "new_password1": "Fresh-pass-77",
            "new_password2": "Fresh-pass-77",
        },
    )
    assert wrong.status_code == HTTPStatus.OK
    assert wrong.context["form"].errors["old_password"]
    right = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "Fresh-pass-77",
            "new_password2": "Fresh-pass-77",
        },
    )
    assert right["Location"] == "/accounts/profile/"
    alice.refresh_from_db()
    assert alice.check_password("Fresh-pass-77")
    assert client.get("/accounts/profile/").status_code == HTTPStatus.OK  # still signed in


def _confirm_link() -> str:
    delivery = Delivery.objects.filter(idempotency_key__startswith="email:email-change:").last()
    assert delivery is not None
    match = LINK.search(delivery.payload["text"])
    assert match is not None
    return match[1]


def test_the_address_changes_only_when_the_link_is_opened(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/email/", {"new_email": "Alice@Wonder.example", "password": "pw-for-tests-1"}
    )
    assert response["Location"] == "/accounts/profile/"
    alice.refresh_from_db()
    assert alice.email == "alice@acme.example"
    delivery = Delivery.objects.get(idempotency_key__startswith="email:email-change:")
    assert delivery.target == "alice@wonder.example"
    assert "alice@wonder.example" in client.get("/accounts/profile/").content.decode()

    link = _confirm_link()
    scanner = Client().get(link)  # opening shows what will change, and changes nothing
    assert "Use alice@wonder.example" in scanner.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@acme.example"

    assert Client().post(link).status_code == HTTPStatus.FOUND
    alice.refresh_from_db()
    assert alice.email == "alice@wonder.example"
    notice = Delivery.objects.get(idempotency_key__startswith="email:email-changed:")
    assert notice.target == "alice@acme.example"

    again = Client().post(link)
    assert again.status_code == HTTPStatus.NOT_FOUND
    assert "expired or was used" in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"new_email": "not an address", "password": "pw-for-tests-1"}, "new_email"),
        ({"new_email": "alice@acme.example", "password": "pw-for-tests-1"}, "new_email"),
        ({"new_email": "a@b.example", "password": "wrong"}, "password"),
        ({"new_email": "a@b.invalid", "password": "pw-for-tests-1"}, "new_email"),
    ],
)
def test_bad_input_for_a_new_address_is_a_field_error(client, alice, data, field):
    client.force_login(alice)
    response = client.post("/accounts/email/", data)
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors[field]
    assert not EmailChange.objects.exists()


def test_an_address_taken_meanwhile_is_refused_at_confirmation(alice, carol, now):
    change = email_change_request(user=alice, new_email="carol@acme.example", now=now)
    token = _confirm_link().rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(InvalidState):
        email_change_confirm(token=token, now=now)
    alice.refresh_from_db()
    assert alice.email == "alice@acme.example"
    change.refresh_from_db()
    assert change.confirmed_at is None


def test_a_link_expires_and_a_newer_request_replaces_it(alice, now):
    email_change_request(user=alice, new_email="one@acme.example", now=now)
    first = _confirm_link().rstrip("/").rsplit("/", 1)[1]
    email_change_request(user=alice, new_email="two@acme.example", now=now)
    second = _confirm_link().rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(NotFound):
        email_change_confirm(token=first, now=now)
    with pytest.raises(NotFound):
        email_change_confirm(token=second, now=now + timedelta(hours=25))
    assert email_change_confirm(token=second, now=now).email == "two@acme.example"


def test_the_service_checks_the_address_whoever_calls_it(alice):
    with pytest.raises(ValidationFailed) as refused:
        email_change_request(user=alice, new_email="nope", now=timezone.now())
    assert "new_email" in refused.value.extra["fields"]
