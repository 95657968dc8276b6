"""``/desk/reports/dashboard/``: for support leads and admins. ``?export=<table>`` downloads one
table as CSV with the same filters; bad filters answer 400 with each field's message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lifebuoy.accounts.decorators import staff_required
from lifebuoy.accounts.models import Role, User

from .build import dashboard_build
from .export import csv_response
from .forms import DashboardFilterForm

LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})
REFRESH_SECONDS = 60


def _lead(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in LEAD_ROLES:
        raise PermissionDenied("The dashboard is for support leads.")
    return user


@staff_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user, now = _lead(request), timezone.now()
    form = DashboardFilterForm(request.GET, user=user)
    export = request.GET.get("export", "")
    if not form.is_valid():
        if export:
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        context: dict[str, object] = {"form": form, "board": None, "refresh": 0}
        return render(request, "reports/dashboard.html", context, status=400)
    board = dashboard_build(
        user=user, period=form.period_for(now.date()), scope=form.scope(), now=now
    )
    if export:
        if export not in board.tables:
            names = ", ".join(board.tables)
            return HttpResponse(f"Export one of: {names}.", status=400, content_type="text/plain")
        return csv_response(board, board.tables[export])
    query = request.GET.copy()
    query.pop("export", None)
    context = {"form": form, "board": board, "query": query.urlencode()}
    return render(request, "reports/dashboard.html", context | {"refresh": REFRESH_SECONDS})
