"""The deployment pages: in the desk (staff, every organization) and in the portal (a
customer's own organization). Same gate and selectors as the API; no internal notes here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import customer_required, signed_in_user, staff_required
from lifebuoy.core.parsing import is_ascii_digits
from lifebuoy.core.views import ServiceCall, refused_response

from . import selectors
from .capacity import capacity_trends
from .forms import DeploymentFilterForm, DeploymentForm, deployment_form_initial
from .models import Deployment
from .services.deployments import (
    deployment_create_for_user,
    deployment_poll_request,
    deployment_set_consent_for_user,
    deployment_update_for_user,
)
from .services.usage import parse_usage_csv, usage_import

UPTIME_DAYS = 14
MAX_CSV_BYTES = 5 * 1024 * 1024
LIST_PAGE_SIZE = 50
POLL_WAIT = timedelta(minutes=2)  # how long the page refreshes after "Run doctor now"


def _page(
    request: WSGIRequest, deployment_id: int, template: str, *, watch_poll: bool = False
) -> HttpResponse:
    now = timezone.now()
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    context: dict[str, object] = {
        "overview": selectors.deployment_overview(deployment=deployment, now=now),
        "daily": selectors.uptime_daily(deployment=deployment, end=now, days=UPTIME_DAYS),
        "trends": capacity_trends(deployment=deployment, now=now),
    }
    if watch_poll:
        context["waiting"] = _waiting_for_poll(request, deployment, now)
    return render(request, template, context)


def _waiting_for_poll(request: WSGIRequest, deployment: Deployment, now: datetime) -> str:
    """After "Run doctor now": "refresh" while the requested poll has not run (for up to
    ``POLL_WAIT``), "late" once that is over, "" otherwise (or for a bad ``waiting`` value)."""
    raw = request.GET.get("waiting", "")
    if not is_ascii_digits(raw) or len(raw) > 12:
        return ""
    try:
        requested = datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the calendar: not a time we gave
        return ""
    if deployment.last_polled_at is not None and deployment.last_polled_at >= requested:
        return ""
    return "refresh" if now - requested < POLL_WAIT else "late"


@staff_required
def deployment_list_view(request: WSGIRequest) -> HttpResponse:
    """Every deployment, those needing attention first; filtered and paged."""
    user = signed_in_user(request)
    form = DeploymentFilterForm(request.GET, user=user)
    if not form.is_valid():
        context: dict[str, object] = {"form": form, "page": None, "query": ""}
        return render(request, "monitoring/desk_list.html", context, status=400)
    deployments = selectors.deployment_list_filtered(user=user, filters=form.filters())
    page = Paginator(deployments, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "monitoring/desk_list.html", context)


@staff_required
def deployment_create_view(request: WSGIRequest) -> HttpResponse:
    """Register a customer's deployment (support staff: agents and up)."""
    form = DeploymentForm(
        request.POST if request.method == "POST" else None, user=signed_in_user(request)
    )
    if form.is_bound and form.is_valid():
        with ServiceCall(request, form):
            deployment = deployment_create_for_user(
                actor=signed_in_user(request),
                organization_id=form.cleaned_data["organization_id"].id,
                data=form.to_input(),
                consent=form.cleaned_data["consent"],
                now=timezone.now(),
            )
            messages.success(request, f"{deployment.name} is registered; the first poll is due.")
            return redirect("monitoring:detail", deployment_id=deployment.id)
    return render(request, "monitoring/desk_form.html", {"form": form, "deployment": None})


@staff_required
def deployment_edit_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    data = request.POST if request.method == "POST" else None
    initial = deployment_form_initial(deployment)
    form = DeploymentForm(
        data, initial=initial, user=signed_in_user(request), deployment=deployment
    )
    if form.is_bound and form.is_valid():
        with ServiceCall(request, form):
            deployment_update_for_user(
                actor=signed_in_user(request),
                deployment=deployment,
                data=form.to_input(),
                consent=form.cleaned_data["consent"],
                now=timezone.now(),
            )
            messages.success(request, "Saved.")
            return redirect("monitoring:detail", deployment_id=deployment.id)
    context = {"form": form, "deployment": deployment}
    return render(request, "monitoring/desk_form.html", context)


@staff_required
@require_POST
def deployment_withdraw_consent_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    """Staff record that the customer withdrew read access: polling stops at once."""
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    deployment_set_consent_for_user(
        deployment=deployment, actor=signed_in_user(request), consent=False, now=timezone.now()
    )
    messages.success(request, "Read access withdrawn; polling has stopped.")
    return redirect("monitoring:detail", deployment_id=deployment.id)


@staff_required
def deployment_detail_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    return _page(request, deployment_id, "monitoring/desk_detail.html", watch_poll=True)


@staff_required
@require_POST
def deployment_poll_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    # Read before asking: a poll that starts after this instant (whole seconds) counts, even
    # one that runs at once and finishes before the next line.
    requested = int(timezone.now().timestamp())
    with ServiceCall(request):
        deployment_poll_request(deployment=deployment)
        messages.success(request, "The doctor will run in a moment.")
        url = reverse("monitoring:detail", args=[deployment.id])
        return redirect(f"{url}?waiting={requested}")
    return redirect("monitoring:detail", deployment_id=deployment.id)


@staff_required
@require_POST
def deployment_usage_upload_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    """The model provider's usage export (CSV)."""
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    upload = request.FILES.get("file")
    if upload is not None and (upload.size or 0) > MAX_CSV_BYTES:
        return refused_response(
            request, 413, "payload_too_large", "The CSV file is over 5 MB; send a shorter export."
        )
    with ServiceCall(request):
        if upload is None:
            messages.error(request, "Choose a CSV file of at most 5 MB.")
        else:
            lines, errors = parse_usage_csv(upload.read().decode("utf-8", "replace"))
            result = usage_import(
                deployment=deployment, lines=lines, errors=errors, source="csv", now=timezone.now()
            )
            messages.success(request, f"Imported {result.imported} day(s) of usage.")
            for error in result.errors:
                messages.warning(request, error)
    return redirect("monitoring:detail", deployment_id=deployment.id)


@customer_required
def portal_deployment_list_view(request: WSGIRequest) -> HttpResponse:
    deployments = selectors.deployment_list_for_user(user=signed_in_user(request))
    return render(request, "monitoring/portal_list.html", {"deployments": deployments})


@customer_required
def portal_deployment_detail_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    return _page(request, deployment_id, "monitoring/portal_detail.html")


@customer_required
@require_POST
def portal_consent_view(request: WSGIRequest, deployment_id: int) -> HttpResponse:
    """The customer allows or withdraws Lifebuoy's read access to the repository."""
    deployment = selectors.deployment_get_for_user(
        user=signed_in_user(request), deployment_id=deployment_id
    )
    consent = request.POST.get("consent") == "yes"
    deployment_set_consent_for_user(
        deployment=deployment, actor=signed_in_user(request), consent=consent, now=timezone.now()
    )
    done = "Read access allowed." if consent else "Read access withdrawn; polling has stopped."
    messages.success(request, done)
    return redirect("monitoring_portal:detail", deployment_id=deployment.id)
