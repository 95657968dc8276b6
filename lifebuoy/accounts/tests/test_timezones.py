"""Which zone a request's times show in: own choice, organization, browser, UTC."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from lifebuoy.accounts.middleware import TimezoneMiddleware
from lifebuoy.accounts.models import User

pytestmark = pytest.mark.django_db

LOS_ANGELES = "America/Los_Angeles"


def zone_seen(user: User | AnonymousUser, cookie: str | None = None) -> str:
    """The zone name active while a request of ``user`` (with that ``tz`` cookie) runs."""
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES["tz"] = cookie
    request.user = user
    TimezoneMiddleware(view)(request)
    return seen[0]


def test_a_persons_own_zone_wins(ted, alice):
    for person in (ted, alice):
        person.timezone = "Asia/Tokyo"
        person.save(update_fields=["timezone"])
        assert zone_seen(person, cookie=LOS_ANGELES) == "Asia/Tokyo"


def test_a_customer_without_one_gets_their_organizations_zone(alice):
    assert zone_seen(alice) == "Europe/Berlin"


def test_a_customers_browser_zone_is_not_used(alice, charlie):
    assert zone_seen(alice, cookie=LOS_ANGELES) == "Europe/Berlin"
    assert zone_seen(charlie, cookie=LOS_ANGELES) == "Asia/Kolkata"


def test_staff_without_one_get_their_browsers_zone(ted):
    assert zone_seen(ted, cookie=LOS_ANGELES) == LOS_ANGELES


def test_staff_without_a_browser_zone_get_utc(ted):
    assert zone_seen(ted) == "UTC"


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "../../etc/passwd", "", "America/Nowhere"])
def test_an_unknown_browser_zone_is_utc(ted, cookie):
    assert zone_seen(ted, cookie=cookie) == "UTC"


def test_visitors_who_are_not_signed_in_get_utc(db):
    assert zone_seen(AnonymousUser(), cookie=LOS_ANGELES) == "UTC"


def test_the_zone_ends_with_the_request(ted):
    zone_seen(ted, cookie=LOS_ANGELES)
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_person_cannot_keep_an_unknown_zone(ted):
    ted.timezone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as caught:
        ted.full_clean()
    assert "timezone" in caught.value.message_dict
    ted.timezone = ""
    ted.full_clean()  # empty: not set
