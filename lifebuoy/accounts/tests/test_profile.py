"""The profile page: a person picks the time zone their pages show times in."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.accounts.services import user_timezone_set
from lifebuoy.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_staff_pick_a_zone_and_their_pages_show_it(client, ted):
    client.force_login(ted)
    client.cookies["tz"] = "America/Los_Angeles"
    page = client.get("/accounts/profile/").content.decode()
    assert "<strong>America/Los_Angeles</strong>" in page  # the browser's, until they pick one

    response = client.post("/accounts/profile/", {"timezone": "Asia/Tokyo"})
    assert response.status_code == HTTPStatus.FOUND
    ted.refresh_from_db()
    assert ted.timezone == "Asia/Tokyo"
    assert "<strong>Asia/Tokyo</strong>" in client.get("/accounts/profile/").content.decode()


def test_an_empty_choice_goes_back_to_the_default(client, alice):
    alice.timezone = "Asia/Tokyo"
    alice.save(update_fields=["timezone"])
    client.force_login(alice)
    client.post("/accounts/profile/", {"timezone": ""})
    alice.refresh_from_db()
    assert alice.timezone == ""
    assert "<strong>Europe/Berlin</strong>" in client.get("/accounts/profile/").content.decode()


def test_an_unknown_zone_is_refused(client, ted):
    client.force_login(ted)
    response = client.post("/accounts/profile/", {"timezone": "Mars/Olympus_Mons"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["timezone"]
    ted.refresh_from_db()
    assert ted.timezone == ""


def test_the_profile_needs_a_sign_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == HTTPStatus.FOUND
    assert "/accounts/login/" in response["Location"]


def test_the_service_refuses_an_unknown_zone_whoever_calls_it(ted):
    with pytest.raises(ValidationFailed) as refused:
        user_timezone_set(user=ted, timezone="Mars/Olympus_Mons")
    assert "timezone" in refused.value.extra["fields"]
    user_timezone_set(user=ted, timezone=" Asia/Tokyo ")
    ted.refresh_from_db()
    assert ted.timezone == "Asia/Tokyo"
