"""A shorter middleware chain for API calls that carry a token and no browser session.

Most of ``MIDDLEWARE`` serves people in a browser: the session, the signed-in user, their time
zone, flash messages, CSRF, htmx, allauth and axes. An API client presenting
``Authorization: Bearer …`` without a session cookie uses none of them: django-ninja
authenticates the token itself, the JSON it answers holds times with their offsets whatever
zone is active, and with no session cookie no session or user could be found anyway. Running
them cost such a request about a quarter of a millisecond of CPU, a tenth of creating a
ticket in-process.

``ApiTokenLaneMiddleware`` comes first in ``MIDDLEWARE``. It hands those requests to a chain
of ``LIFEBUOY_API_TOKEN_MIDDLEWARE`` only (security headers, body limits, the API's error
shapes), built by Django's own handler at start-up, and every other request to the rest of
``MIDDLEWARE`` as before. The request's ``user`` is the anonymous user, which is what the
session middleware would have found without a cookie, so django-ninja's fall-back to the
session still refuses a bad token the same way. A request with a session cookie, or outside
``/api/``, always takes the full chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest
from django.http.response import HttpResponseBase

API_PREFIX = "/api/"
BEARER = "Bearer "

Chain = Callable[[HttpRequest], HttpResponseBase]


def takes_lane(request: HttpRequest) -> bool:
    """An API call with a bearer token and no session cookie."""
    return (
        request.path_info.startswith(API_PREFIX)
        and request.META.get("HTTP_AUTHORIZATION", "").startswith(BEARER)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


class ApiTokenLaneMiddleware:
    def __init__(self, get_response: Chain) -> None:
        self.get_response = get_response
        self.lane = lane_chain(settings.LIFEBUOY_API_TOKEN_MIDDLEWARE)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not takes_lane(request):
            return self.get_response(request)
        request.user = AnonymousUser()
        return self.lane(request)


def lane_chain(middleware: Sequence[str]) -> Chain:
    """``middleware`` around URL resolution and the view, as Django's handler builds its own
    chain (each middleware's hooks and exception handling included)."""
    if any(path.endswith(f".{ApiTokenLaneMiddleware.__name__}") for path in middleware):
        raise ImproperlyConfigured("The API token lane cannot include itself.")
    handler = BaseHandler()
    with _middleware_setting(list(middleware)):
        handler.load_middleware()
    chain: Chain = handler._middleware_chain  # type: ignore[attr-defined]  # set just above
    return chain


@contextmanager
def _middleware_setting(middleware: list[str]) -> Iterator[None]:
    """``settings.MIDDLEWARE`` as ``middleware`` while a handler loads it. This runs while the
    process builds its handler, before it serves anything; the full chain being built reads
    its own copy of the list already."""
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        yield
    finally:
        settings.MIDDLEWARE = full
