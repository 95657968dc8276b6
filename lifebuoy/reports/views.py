"""The weekly report on the desk, for support leads; quarterly business reviews on the desk
and, for the organization's own members, in the portal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import customer_required, signed_in_user, staff_required
from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.core.periods import Period, iso_week, previous_quarter, previous_week, quarter
from lifebuoy.core.views import ServiceCall

from .charts import Chart, StoredChart, charts_from_storage, weekly_charts
from .models import WeeklyReport
from .qbr import qbr_build, qbr_email_send, qbr_html, qbr_markdown
from .selectors.qbr import qbr_offered, qbr_organization_get_for_user, qbr_organization_list
from .services import weekly_report_generate
from .weekly import Report, weekly_report_build, weekly_report_markdown

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
    # A stored week is shown as it was stored, charts and all (generating it again updates
    # it); any other week is built from the tickets now.
    stored = WeeklyReport.objects.filter(week=period.label).first() if not error else None
    if request.GET.get("format") == "markdown" and not error:
        markdown = (
            stored.markdown
            if stored
            else weekly_report_markdown(weekly_report_build(period=period))
        )
        response = HttpResponse(markdown, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="weekly-{period.label}.md"'
        return response
    report = Report.from_dict(stored.data) if stored else weekly_report_build(period=period)
    charts: Sequence[Chart | StoredChart] = (
        charts_from_storage(stored.charts)
        if stored and stored.charts
        else weekly_charts(report, fmt="png")
    )
    return render(
        request,
        "reports/weekly.html",
        {
            "report": report,
            "period": period,
            "previous": previous_week(period.start),
            "error": error,
            "stored": stored,
            "charts": charts,
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


# -- quarterly business reviews ---------------------------------------------------------------

QBR_FORMATS = {"markdown": ("text/markdown", "md"), "html": ("text/html", "html")}


def _qbr_request(request: HttpRequest, now: datetime) -> tuple[Period, str, str]:
    """The quarter (default: the last one), the format, and an error sentence if either is bad."""
    data = request.POST if request.method == "POST" else request.GET
    text = data.get("quarter", "").strip()
    fmt = request.GET.get("format", "")
    try:
        period = quarter(text) if text else previous_quarter(now)
    except ValueError as exc:
        return previous_quarter(now), fmt, str(exc)
    if fmt and fmt not in QBR_FORMATS:
        return period, fmt, f"Unknown format “{fmt}”; use markdown or html."
    return period, fmt, ""


def _qbr_page(request: HttpRequest, organization: Organization, *, can_send: bool) -> HttpResponse:
    now = timezone.now()
    period, fmt, error = _qbr_request(request, now)
    offered = qbr_offered(organization)
    review = (
        None
        if error or not offered
        else qbr_build(organization=organization, period=period, now=now)
    )
    if review is not None and fmt:
        content_type, extension = QBR_FORMATS[fmt]
        body = qbr_markdown(review) if fmt == "markdown" else qbr_html(review)
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        name = f"qbr-{organization.slug}-{period.label}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    context = {
        "organization": organization,
        "period": period,
        "offered": offered,
        "review": review,
        "error": error,
        "can_send": can_send,
    }
    return render(request, "reports/qbr.html", context, status=400 if error else 200)


@staff_required
def qbr_index_view(request: HttpRequest) -> HttpResponse:
    context = {"organizations": qbr_organization_list(), "period": previous_quarter(timezone.now())}
    return render(request, "reports/qbr_index.html", context)


@staff_required
def qbr_view(request: HttpRequest, slug: str) -> HttpResponse:
    """``?quarter=2026-Q4`` (default: last quarter); ``&format=markdown|html`` downloads it."""
    user = signed_in_user(request)
    organization = qbr_organization_get_for_user(user=user, slug=slug)
    return _qbr_page(request, organization, can_send=user.role in LEAD_ROLES)


@require_POST
@staff_required
def qbr_send_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead emails the review to the organization's contacts (each once per quarter)."""
    _require_lead(request)
    organization = qbr_organization_get_for_user(user=signed_in_user(request), slug=slug)
    period, _, error = _qbr_request(request, timezone.now())
    if error:
        return _qbr_page(request, organization, can_send=True)
    with ServiceCall(request):
        queued = qbr_email_send(organization=organization, period=period, now=timezone.now())
        messages.success(request, f"The review of {period.label} is queued for {queued} contacts.")
    return redirect(f"{reverse('reports:qbr', args=[organization.slug])}?quarter={period.label}")


@customer_required
def portal_qbr_home_view(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    organization = user.organization
    if organization is None or not qbr_offered(organization):
        raise Http404("Quarterly business reviews are for Premium and Managed Services.")
    if not user.administers_organization:
        raise Http404("Quarterly business reviews are for the organization's admins.")
    return redirect("reports_portal:qbr", slug=organization.slug)


@customer_required
def portal_qbr_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The customer's own organization's review; any other organization, or one without
    reviews (Community, Standard), is a 404."""
    organization = qbr_organization_get_for_user(user=signed_in_user(request), slug=slug)
    if not qbr_offered(organization):
        raise Http404("Quarterly business reviews are for Premium and Managed Services.")
    return _qbr_page(request, organization, can_send=False)
