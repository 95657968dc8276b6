"""For support leads, as JSON: ``GET /api/reports/weekly?week=2026-W47``, the weekly report;
``GET /api/reports/dashboard?period=7d&tier=3&organization=12`` (or ``start``/``end``), the
dashboard's metrics and tables with the page's filters."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Query, Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.accounts.models import Role
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.core.periods import iso_week, previous_week

from .dashboard.build import board_as_dict, dashboard_build
from .dashboard.forms import DashboardFilterForm
from .schemas import DashboardQuery
from .weekly import weekly_report_build, weekly_report_markdown

router = Router(tags=["reports"])


def _require_lead(request: AuthedRequest, what: str) -> None:
    if request.auth.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied("not_allowed", f"The {what} is for support leads.")


@router.get("/weekly", response=dict[str, Any])
def weekly_report_api(request: AuthedRequest, week: str = "") -> dict[str, Any]:
    """The report of one ISO week (default: last week), with its Markdown."""
    _require_lead(request, "weekly report")
    try:
        period = iso_week(week) if week.strip() else previous_week(timezone.now())
    except ValueError as exc:
        raise ValidationFailed.for_fields({"week": str(exc)}) from None
    report = weekly_report_build(period=period)
    return {**report.as_dict(), "markdown": weekly_report_markdown(report)}


@router.get("/dashboard", response=dict[str, Any])
def dashboard_api(request: AuthedRequest, query: Query[DashboardQuery]) -> dict[str, Any]:
    """The live dashboard with the page's filters; each bad filter is named in a 422."""
    _require_lead(request, "dashboard")
    form = DashboardFilterForm(query.form_data(), user=request.auth)
    if not form.is_valid():
        raise ValidationFailed.for_fields(
            {name: " ".join(str(m) for m in e) for name, e in form.errors.items()}
        )
    now = timezone.now()
    board = dashboard_build(
        user=request.auth, period=form.period_for(now.date()), scope=form.scope(), now=now
    )
    return board_as_dict(board)
