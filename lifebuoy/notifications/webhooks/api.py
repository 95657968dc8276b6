"""REST handlers for organizations' outgoing webhooks, mounted at /api/webhooks/.

Customers manage their own organization's endpoints, support leads and admins any
organization's. The secret appears only in the answers to create and rotate-secret.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.notifications import selectors
from lifebuoy.notifications.models import WebhookEndpoint
from lifebuoy.notifications.services import webhooks as services

from .schemas import (
    WebhookEndpointCreateIn,
    WebhookEndpointOut,
    WebhookEndpointSecretOut,
    WebhookEndpointUpdateIn,
    WebhookPingOut,
)

router = Router(tags=["webhooks"])


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    recent = selectors.webhook_deliveries_recent(endpoint_ids=[endpoint.id], per_endpoint=20)
    out = _fields(endpoint, recent.get(endpoint.id, []))
    return out if secret is None else {**out, "secret": secret}


def _fields(endpoint: WebhookEndpoint, deliveries: list[Any]) -> dict[str, Any]:
    names = ("id", "organization_id", "url", "events", "is_active", "created_at", "updated_at")
    return {name: getattr(endpoint, name) for name in names} | {"recent_deliveries": deliveries}


@router.get("", response=list[WebhookEndpointOut])
def webhook_endpoint_list_api(
    request: AuthedRequest, organization: int | None = None
) -> list[dict[str, Any]]:
    """Your organization's endpoints (staff: every organization's, or ``organization``'s),
    each with its five latest deliveries."""
    endpoints = list(
        selectors.webhook_endpoint_list_for_user(user=request.auth, organization_id=organization)
    )
    recent = selectors.webhook_deliveries_recent(endpoint_ids=[e.id for e in endpoints])
    return [_fields(e, recent.get(e.id, [])) for e in endpoints]


@router.post("", response={201: WebhookEndpointSecretOut})
def webhook_endpoint_create_api(
    request: AuthedRequest, payload: WebhookEndpointCreateIn
) -> Status[dict[str, Any]]:
    organization = selectors.webhook_organization_get_for_user(
        user=request.auth, organization_id=payload.organization_id
    )
    created = services.webhook_endpoint_create(
        actor=request.auth,
        organization=organization,
        url=payload.url,
        events=payload.events,
        is_active=payload.is_active,
    )
    return Status(201, _out(created.endpoint, created.secret))


@router.get("/{endpoint_id}", response=WebhookEndpointOut)
def webhook_endpoint_get_api(request: AuthedRequest, endpoint_id: int) -> dict[str, Any]:
    """The endpoint with its 20 latest deliveries."""
    return _out(selectors.webhook_endpoint_get_for_user(user=request.auth, endpoint_id=endpoint_id))


@router.patch("/{endpoint_id}", response=WebhookEndpointOut)
def webhook_endpoint_update_api(
    request: AuthedRequest, endpoint_id: int, payload: WebhookEndpointUpdateIn
) -> dict[str, Any]:
    endpoint = selectors.webhook_endpoint_get_for_user(user=request.auth, endpoint_id=endpoint_id)
    changes = payload.dict(exclude_unset=True)
    changed = services.webhook_endpoint_update(endpoint=endpoint, actor=request.auth, **changes)
    return _out(changed)


@router.delete("/{endpoint_id}", response={204: None})
def webhook_endpoint_delete_api(request: AuthedRequest, endpoint_id: int) -> Status[None]:
    endpoint = selectors.webhook_endpoint_get_for_user(user=request.auth, endpoint_id=endpoint_id)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=request.auth)
    return Status(204, None)


@router.post("/{endpoint_id}/rotate-secret", response=WebhookEndpointSecretOut)
def webhook_endpoint_rotate_api(request: AuthedRequest, endpoint_id: int) -> dict[str, Any]:
    """A new secret, shown only in this answer; the old one stops working at once."""
    endpoint = selectors.webhook_endpoint_get_for_user(user=request.auth, endpoint_id=endpoint_id)
    rotated = services.webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request.auth)
    return _out(rotated.endpoint, rotated.secret)


@router.post("/{endpoint_id}/test", response={202: WebhookPingOut})
def webhook_endpoint_test_api(request: AuthedRequest, endpoint_id: int) -> Status[dict[str, Any]]:
    """Queue a signed ``ping`` event; its outcome shows in the endpoint's deliveries."""
    endpoint = selectors.webhook_endpoint_get_for_user(user=request.auth, endpoint_id=endpoint_id)
    delivery = services.webhook_endpoint_ping(
        endpoint=endpoint, actor=request.auth, now=timezone.now()
    )
    return Status(202, {"delivery_id": delivery.id, "status": delivery.status})
