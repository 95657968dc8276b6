"""The webhooks page (/portal/webhooks/): an organization's endpoints, their recent deliveries,
and the forms to add, change, delete, rotate and test them.

Customers see their own organization's endpoints; support leads and admins every
organization's (``?organization=<id>`` narrows the list). The gates are in selectors, the rules
in services/webhooks.py; a new or rotated secret is shown on the answering page only.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_required, signed_in_user
from lifebuoy.core.errors import LifebuoyError
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.notifications import selectors
from lifebuoy.notifications.services import webhooks as services

from .forms import WebhookEndpointCreateForm, WebhookEndpointForm


def _secret_page(request: WSGIRequest, created: services.EndpointWithSecret) -> HttpResponse:
    context = {"endpoint": created.endpoint, "secret": created.secret}
    response = render(request, "notifications/webhooks/secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@signed_in_required
def webhook_list_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    organization_id = parse_id(request.GET.get("organization"))
    endpoints = list(
        selectors.webhook_endpoint_list_for_user(user=user, organization_id=organization_id)
    )
    recent = selectors.webhook_deliveries_recent(endpoint_ids=[e.id for e in endpoints])
    rows = [(endpoint, recent.get(endpoint.id, [])) for endpoint in endpoints]
    context = {
        "rows": rows,
        "event_names": services.WEBHOOK_EVENTS,
        "is_staff": not user.is_customer,
    }
    return render(request, "notifications/webhooks/list.html", context)


@signed_in_required
def webhook_create_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    organizations = selectors.webhook_organization_list_for_user(user=user)
    form = WebhookEndpointCreateForm(
        request.POST or None, organizations=None if user.is_customer else organizations
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = data.get("organization_id")
        with ServiceCall(request, form):
            organization = selectors.webhook_organization_get_for_user(
                user=user, organization_id=chosen.id if chosen is not None else None
            )
            created = services.webhook_endpoint_create(
                actor=user,
                organization=organization,
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
            )
            return _secret_page(request, created)
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/webhooks/form.html", {"form": form}, status=status)


@signed_in_required
def webhook_edit_view(request: WSGIRequest, endpoint_id: int) -> HttpResponse:
    user = signed_in_user(request)
    endpoint = selectors.webhook_endpoint_get_for_user(user=user, endpoint_id=endpoint_id)
    initial = {"url": endpoint.url, "events": endpoint.events, "is_active": endpoint.is_active}
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            services.webhook_endpoint_update(endpoint=endpoint, actor=user, **form.cleaned_data)
            messages.success(request, "Webhook endpoint saved.")
            return redirect("webhooks:list")
    recent = selectors.webhook_deliveries_recent(endpoint_ids=[endpoint.id], per_endpoint=20)
    context = {"form": form, "endpoint": endpoint, "deliveries": recent.get(endpoint.id, [])}
    status = 400 if request.method == "POST" else 200
    return render(request, "notifications/webhooks/form.html", context, status=status)


@signed_in_required
@require_POST
def webhook_delete_view(request: WSGIRequest, endpoint_id: int) -> HttpResponse:
    user = signed_in_user(request)
    endpoint = selectors.webhook_endpoint_get_for_user(user=user, endpoint_id=endpoint_id)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=user)
    messages.success(request, f"Deleted the webhook endpoint {endpoint.url}.")
    return redirect("webhooks:list")


@signed_in_required
@require_POST
def webhook_rotate_view(request: WSGIRequest, endpoint_id: int) -> HttpResponse:
    user = signed_in_user(request)
    endpoint = selectors.webhook_endpoint_get_for_user(user=user, endpoint_id=endpoint_id)
    return _secret_page(
        request, services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=user)
    )


@signed_in_required
@require_POST
def webhook_test_view(request: WSGIRequest, endpoint_id: int) -> HttpResponse:
    user = signed_in_user(request)
    endpoint = selectors.webhook_endpoint_get_for_user(user=user, endpoint_id=endpoint_id)
    try:
        services.webhook_endpoint_ping(endpoint=endpoint, actor=user, now=timezone.now())
        messages.success(request, "Test event queued; its result appears below in a moment.")
    except LifebuoyError as exc:
        messages.error(request, " ".join(exc.extra.get("fields", {}).values()) or exc.message)
    return redirect("webhooks:edit", endpoint_id=endpoint.id)
