"""``/desk/reports/dashboard/``: for support leads and admins. ``?export=<table>`` downloads one
table as CSV with the same filters; bad filters answer 400 with each field's message.

``/desk/reports/dashboard/tiles/`` is the page's headline tiles alone, with the same filters and
the same gate: the page asks for it every ``REFRESH_SECONDS`` and swaps it in place (htmx)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from lifebuoy.accounts.decorators import staff_required
from lifebuoy.accounts.models import Role, User

from .build import dashboard_build, dashboard_tiles
from .charts import dashboard_charts
from .export import csv_response
from .forms import DashboardFilterForm

LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})
REFRESH_SECONDS = 30


def _lead(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.role not in LEAD_ROLES:
        raise PermissionDenied("The dashboard is for support leads.")
    return user


def _filters_query(request: HttpRequest) -> str:
    """The page's filters as a query string, for its CSV links and the tiles' refresh."""
    query = request.GET.copy()
    query.pop("export", None)
    return query.urlencode()


@staff_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user, now = _lead(request), timezone.now()
    form = DashboardFilterForm(request.GET, user=user)
    export = request.GET.get("export", "")
    if not form.is_valid():
        if export:
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        context: dict[str, object] = {"form": form, "board": None, "filters_in_use": True}
        return render(request, "reports/dashboard.html", context, status=400)
    board = dashboard_build(
        user=user, period=form.period_for(now.date()), scope=form.scope(), now=now
    )
    if export:
        if export not in board.tables:
            names = ", ".join(board.tables)
            return HttpResponse(f"Export one of: {names}.", status=400, content_type="text/plain")
        return csv_response(board, board.tables[export])
    context = {
        "form": form,
        "board": board,
        "tiles": board.tiles,
        "charts": dashboard_charts(board),
        "query": _filters_query(request),
        "refresh": REFRESH_SECONDS,
        "filters_in_use": not board.scope.is_everything,  # phones then show the filters open
    }
    return render(request, "reports/dashboard.html", context)


@never_cache
@staff_required
def dashboard_tiles_view(request: HttpRequest) -> HttpResponse:
    """The tiles fragment. Bad filters answer 400, which htmx does not swap in."""
    user, now = _lead(request), timezone.now()
    form = DashboardFilterForm(request.GET, user=user)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    tiles = dashboard_tiles(
        user=user, period=form.period_for(now.date()), scope=form.scope(), now=now
    )
    context = {"tiles": tiles, "query": _filters_query(request), "refresh": REFRESH_SECONDS}
    return render(request, "reports/_dashboard_tiles.html", context)
