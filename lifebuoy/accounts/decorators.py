"""Who may open a page: the role decorators every HTML view uses.

Anonymous visitors go to the sign-in form; a signed-in person whose role may not see the page
gets the 403 page; a service's ``NotFound`` or ``PermissionDenied`` inside the view becomes
Django's 404 or 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound, PermissionDenied

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


signed_in_required = _role_required(lambda user: True)  # pages every role uses, gated inside
staff_required = _role_required(lambda user: user.is_support_staff)
customer_required = _role_required(lambda user: user.is_customer)


def signed_in_user(request: HttpRequest) -> User:
    """The person behind a request that ``login_required`` or a role decorator let through."""
    user = request.user
    if not isinstance(user, User):  # a view without a sign-in decorator: refuse, never guess
        raise DjangoPermissionDenied("Sign in to open this page.")
    return user
