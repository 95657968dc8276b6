"""Personal settings pages: the profile (time zone) and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_required, signed_in_user
from lifebuoy.core.views import ServiceCall

from . import services
from .forms import ProfileForm
from .models import User


@signed_in_required
def profile_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    default = "Not set: my organization's" if user.is_customer else "Not set: my browser's"
    form = ProfileForm(request.POST or None, default_label=default, current=user.timezone)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        with call:
            services.user_timezone_set(user=user, timezone=form.cleaned_data["timezone"])
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    context = {"form": form, "zone": timezone.get_current_timezone_name(), "now": timezone.now()}
    return render(request, "accounts/profile.html", context, status=call.status(200))


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “CI alerts”.")


@login_required
def token_list_view(request: WSGIRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            _, secret = services.api_token_create(
                user=signed_in_user(request), name=form.cleaned_data["name"]
            )
            form = TokenForm()
    tokens = signed_in_user(request).api_tokens.order_by("-id")
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": tokens, "secret": secret}
    )


@login_required
@require_POST
def token_revoke_view(request: WSGIRequest, token_id: int) -> HttpResponse:
    with ServiceCall(request):
        services.api_token_revoke(user=signed_in_user(request), token_id=token_id)
        messages.success(request, "Token revoked.")
    return redirect("accounts:tokens")


def home_view(request: HttpRequest) -> HttpResponse:
    """``/``: the desk for staff, the portal for customers, the sign-in form for anyone else."""
    user = request.user
    if isinstance(user, User) and user.is_support_staff:
        return redirect("desk:queue")
    if isinstance(user, User) and user.is_customer:
        return redirect("portal:list")
    return redirect("accounts:login")
