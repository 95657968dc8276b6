"""Starting a single sign-on: the address's domain picks the organization's identity provider,
and allauth sends the person there (its callback brings them back)."""

from __future__ import annotations

from http import HTTPStatus

from allauth.socialaccount.providers.base import AuthProcess
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .forms import SsoStartForm
from .selectors import email_domain, identity_provider_for_email


@require_http_methods(["GET", "POST"])
def sso_start_view(request: WSGIRequest) -> HttpResponse:
    if request.method == "GET":
        form = SsoStartForm(initial={"next": request.GET.get("next", "")})
        return render(request, "sso/start.html", {"form": form})
    form = SsoStartForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        provider = identity_provider_for_email(email=email)
        if provider is not None:
            oidc = provider.app.get_provider(request)
            params = oidc.get_auth_params()
            params["login_hint"] = email
            wanted = form.cleaned_data["next"]
            safe = url_has_allowed_host_and_scheme(
                wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            response = oidc.redirect(
                request, AuthProcess.LOGIN, next_url=wanted if safe else None, auth_params=params
            )
            if response.status_code != HTTPStatus.FOUND:
                return response  # allauth's error page
            # A page that follows the link by script: the CSP lets forms post only to this
            # site, and a browser checks that against a form's redirects too.
            context = {"url": response["Location"], "organization": provider.organization}
            return render(request, "sso/continue.html", context)
        form.add_error(
            "email",
            f"{email_domain(email)} has no single sign-on here: sign in with your password.",
        )
    return render(request, "sso/start.html", {"form": form}, status=400)
