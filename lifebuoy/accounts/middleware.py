"""``TimezoneMiddleware``: each request shows times in its viewer's zone (``timezones``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.accounts.timezones import ZONE_COOKIE, zone_for_viewer


class TimezoneMiddleware:
    """Activates the viewer's zone for the request, so templates, the ``date`` filter and
    forms' date-time fields read and write local times; put after the authentication
    middleware. The zone is deactivated afterwards, so a worker thread never carries one
    person's zone into the next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user if isinstance(request.user, User) else None
        browser_zone = request.COOKIES.get(ZONE_COOKIE, "")
        timezone.activate(zone_for_viewer(user=user, browser_zone=browser_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
