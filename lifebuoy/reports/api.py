"""``GET /api/reports/weekly?week=2026-W47``: the weekly report as JSON, for support leads."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router

from lifebuoy.accounts.models import Role
from lifebuoy.core.auth import AuthedRequest
from lifebuoy.core.errors import PermissionDenied, ValidationFailed

from .periods import iso_week, previous_week
from .services import weekly_report_build, weekly_report_markdown

router = Router(tags=["reports"])


@router.get("/weekly", response=dict[str, Any])
def weekly_report_api(request: AuthedRequest, week: str = "") -> dict[str, Any]:
    """The report of one ISO week (default: last week), with its Markdown."""
    if request.auth.role not in (Role.LEAD, Role.ADMIN):
        raise PermissionDenied("not_allowed", "The weekly report is for support leads.")
    try:
        period = iso_week(week) if week.strip() else previous_week(timezone.now())
    except ValueError as exc:
        raise ValidationFailed.for_fields({"week": str(exc)}) from None
    report = weekly_report_build(period=period)
    return {**report.as_dict(), "markdown": weekly_report_markdown(report)}
