"""django-allauth's hooks, narrowed to what Lifebuoy uses it for: an organization's identity
provider signing its people in. Local sign-up, sign-in and emails stay Lifebuoy's own."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest
from django.shortcuts import render

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import PermissionDenied

from .models import IdentityProvider
from .selectors import identity_provider_for_app
from .services import sso_account_for, sso_user_populate

# The session must come back through a backend that can load the user again (the first one,
# axes', only counts failures).
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people are invited, or created by their organization's sign-on

    def login(self, request: HttpRequest, user: Any) -> None:
        user.backend = SESSION_BACKEND
        super().login(request, user)


def _claims(sociallogin: SocialLogin) -> dict[str, Any]:
    data = sociallogin.account.extra_data or {}
    merged: dict[str, Any] = {}
    for part in ("userinfo", "id_token"):
        if isinstance(data.get(part), dict):
            merged.update(data[part])
    return merged or data


def _refuse(request: HttpRequest, message: str) -> ImmediateHttpResponse:
    response = render(request, "sso/refused.html", {"reason": message}, status=403)
    return ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def _provider(self, request: HttpRequest, sociallogin: SocialLogin) -> IdentityProvider:
        provider = identity_provider_for_app(provider_id=sociallogin.account.provider)
        if provider is None:
            raise _refuse(request, "This sign-in is not connected to an organization.")
        return provider

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Decide whose account this is before allauth logs anyone in or creates anyone."""
        provider = self._provider(request, sociallogin)
        claims = _claims(sociallogin)
        email = str(claims.get("email") or sociallogin.user.email or "")
        verified = claims.get("email_verified")
        try:
            user = sso_account_for(
                provider=provider,
                email=email,
                email_verified=None if verified is None else bool(verified),
            )
        except PermissionDenied as error:
            raise _refuse(request, error.message) from error
        if sociallogin.is_existing:
            if user is None or sociallogin.user.pk != user.pk:
                raise _refuse(request, "This identity is linked to another account; ask support.")
            return
        if user is not None:
            sociallogin.connect(request, user)  # the customer signs in through SSO from now on

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True  # pre_social_login has already refused everyone who may not sign up

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> User:
        user: User = super().populate_user(request, sociallogin, data)
        claims = _claims(sociallogin)
        name = str(
            claims.get("name")
            or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        )
        return sso_user_populate(
            user=user,
            provider=self._provider(request, sociallogin),
            email=str(claims.get("email") or data.get("email") or ""),
            name=name,
        )
