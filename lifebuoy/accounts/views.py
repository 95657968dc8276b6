"""Personal settings pages: the profile (name, time zone, emails), password and sign-in address,
and API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_required, signed_in_user
from lifebuoy.core.errors import InvalidState, NotFound
from lifebuoy.core.views import ServiceCall

from . import selectors, services
from .forms import EmailChangeForm, ProfileForm
from .models import User


@signed_in_required
def profile_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    default = "Not set: my organization's" if user.is_customer else "Not set: my browser's"
    form = ProfileForm(request.POST or None, user=user, default_label=default)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = services.ProfileChanges(
            full_name=data["full_name"],
            timezone=data["timezone"],
            email_ticket_updates=form.choice("email_ticket_updates", user.email_ticket_updates),
            email_surveys=form.choice("email_surveys", user.email_surveys),
            email_business_reviews=form.choice(
                "email_business_reviews", user.email_business_reviews
            ),
        )
        with call:
            services.profile_update(user=user, changes=changes)
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    context = {
        "form": form,
        "zone": timezone.get_current_timezone_name(),
        "now": timezone.now(),
        "pending_email": selectors.email_change_pending(user=user, now=timezone.now()),
    }
    return render(request, "accounts/profile.html", context, status=call.status(200))


class PasswordChange(SuccessMessageMixin, auth_views.PasswordChangeView):  # type: ignore[type-arg]  # the mixin's form type is the view's
    """Django's password change (current password, then the new one twice), back to the
    profile; the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    success_message = "Your password is changed."


@signed_in_required
def email_change_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EmailChangeForm(request.POST or None, user=user)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        with call:
            change = services.email_change_request(
                user=user, new_email=form.cleaned_data["new_email"], now=timezone.now()
            )
            messages.success(
                request,
                f"We sent a link to {change.new_email}. Your address changes when you open it.",
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form}, status=call.status(200))


def email_confirm_view(request: WSGIRequest, token: str) -> HttpResponse:
    """The link from the email: opening it shows what will change; the button makes the change
    (so a mail scanner that opens links changes nothing)."""
    if request.method != "POST":
        change = selectors.email_change_get_by_token(token=token, now=timezone.now())
        status = 200 if change is not None else 404
        return render(request, "accounts/email_confirm.html", {"change": change}, status=status)
    try:
        user = services.email_change_confirm(token=token, now=timezone.now())
    except (NotFound, InvalidState) as exc:
        context = {"change": None, "problem": exc.message}
        return render(request, "accounts/email_confirm.html", context, status=exc.http_status)
    messages.success(request, f"You sign in with {user.email} from now on.")
    return redirect("accounts:profile" if request.user == user else "accounts:login")


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
