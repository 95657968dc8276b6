"""API authentication: personal tokens (``Authorization: Bearer lb_…``) or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from lifebuoy.accounts.models import User
from lifebuoy.accounts.services import api_token_authenticate


class AuthedRequest(HttpRequest):
    auth: User


class TokenAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> User | None:
        """django-ninja's bearer check, reading the header from the WSGI environ: going
        through ``request.headers`` would first copy every header of the request."""
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(secret=token, now=timezone.now())


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked by django-ninja)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [TokenAuth(), ActiveSessionAuth()]
