"""The weekly report on the desk, for support leads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.views import staff_required

from .charts import weekly_charts
from .models import WeeklyReport
from .periods import iso_week, previous_week
from .services import weekly_report_build, weekly_report_generate, weekly_report_markdown

LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})


def _require_lead(request: HttpRequest) -> None:
    user = request.user
    if not isinstance(user, User) or user.role not in LEAD_ROLES:
        raise PermissionDenied("The weekly report is for support leads.")


@staff_required
def weekly_report_view(request: HttpRequest) -> HttpResponse:
    """``?week=2026-W47`` (default: last week); ``&format=markdown`` downloads the Markdown."""
    _require_lead(request)
    week = request.GET.get("week", "").strip()
    error = ""
    try:
        period = iso_week(week) if week else previous_week(timezone.now())
    except ValueError as exc:
        error = str(exc)
        period = previous_week(timezone.now())
    report = weekly_report_build(period=period)
    markdown = weekly_report_markdown(report)
    if request.GET.get("format") == "markdown" and not error:
        response = HttpResponse(markdown, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="weekly-{period.label}.md"'
        return response
    stored = WeeklyReport.objects.filter(week=period.label).only("week", "generated_at").first()
    return render(
        request,
        "reports/weekly.html",
        {
            "report": report,
            "period": period,
            "previous": previous_week(period.start),
            "error": error,
            "stored": stored,
            "charts": weekly_charts(report, fmt="png"),
        },
        status=400 if error else 200,
    )


@require_POST
@staff_required
def weekly_report_generate_view(request: HttpRequest) -> HttpResponse:
    """Store the week's report now, as the Monday run would."""
    _require_lead(request)
    try:
        period = iso_week(request.POST.get("week", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("reports:weekly")
    weekly_report_generate(period=period, now=timezone.now())
    messages.success(request, f"The report of {period.label} is stored.")
    return redirect(f"{reverse('reports:weekly')}?week={period.label}")
