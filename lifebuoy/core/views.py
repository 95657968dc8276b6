"""Shared pieces of the HTML interface: access decorators and error handling for forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import LifebuoyError, NotFound, PermissionDenied, ValidationFailed

View = Callable[..., HttpResponse]


def _role_required(check: Callable[[User], bool]) -> Callable[[View], View]:
    """Anonymous visitors go to the sign-in form; a signed-in person whose role may not see the
    page gets the 403 page (``403.html``, with a link home) instead of a sign-in loop."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or not check(user):
                raise DjangoPermissionDenied("This page is not open to your role.")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from exc
            except PermissionDenied as exc:
                raise DjangoPermissionDenied(exc.message) from exc

        return wrapper

    return decorator


staff_required = _role_required(lambda user: user.is_support_staff)
customer_required = _role_required(lambda user: user.is_customer)


def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.is_support_staff:
        return redirect("desk:queue")
    if isinstance(user, User) and user.is_customer:
        return redirect("portal:list")
    return redirect("accounts:login")


def apply_error(request: HttpRequest, form: forms.Form | None, exc: LifebuoyError) -> None:
    """Show a service error on the form's fields where it names them, else as a message."""
    if form is not None and isinstance(exc, ValidationFailed):
        for field, message in exc.extra.get("fields", {}).items():
            form.add_error(field if field in form.fields else None, message)
        return
    messages.error(request, exc.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def health_view(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when this process can reach its database."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
