"""REST handlers for monitoring: parse, gate (``deployment_get_for_user``), call, return."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.security import HttpBearer

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.core.errors import NotFound, ValidationFailed

from . import selectors
from .capacity import Trend, capacity_trends
from .models import Deployment
from .schemas import (
    ConsentIn,
    DeploymentCreateIn,
    DeploymentDetailOut,
    DeploymentListOut,
    DeploymentListQuery,
    DeploymentOut,
    DeploymentUpdateIn,
    PollQueuedOut,
    TrendOut,
    UsageImportOut,
    UsageTokenOut,
)
from .services.deployments import (
    deployment_create_for_user,
    deployment_poll_request,
    deployment_set_consent_for_user,
    deployment_update_for_user,
    deployment_usage_token_create,
    deployment_usage_token_matches,
    require_staff,
)
from .services.usage import UsageImport, parse_usage_jsonl, usage_import

router = Router(tags=["monitoring"])
MAX_USAGE_BYTES = 2 * 1024 * 1024


class UsageTokenAuth(HttpBearer):
    """A deployment's usage token; checked against the deployment in the handler."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return token or None


@router.get("/deployments", response=list[DeploymentListOut])
def deployment_list_api(
    request: AuthedRequest, query: Query[DeploymentListQuery]
) -> list[Deployment]:
    """Those needing attention first (most open problems, then failing polls)."""
    filters = selectors.DeploymentFilters(
        organization=query.organization_id, text=query.q.strip(), attention=query.attention
    )
    return list(selectors.deployment_list_filtered(user=request.auth, filters=filters))


@router.post("/deployments", response={201: DeploymentOut})
def deployment_create_api(
    request: AuthedRequest, payload: DeploymentCreateIn
) -> Status[Deployment]:
    deployment = deployment_create_for_user(
        actor=request.auth,
        organization_id=payload.organization_id,
        data=payload.to_input(),
        consent=payload.consent,
        now=timezone.now(),
    )
    return Status(201, deployment)


@router.put("/deployments/{deployment_id}", response=DeploymentOut)
def deployment_update_api(
    request: AuthedRequest, deployment_id: int, payload: DeploymentUpdateIn
) -> Deployment:
    """Staff replace a deployment's settings (its organization stays)."""
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    return deployment_update_for_user(
        actor=request.auth,
        deployment=deployment,
        data=payload.to_input(),
        consent=payload.consent,
        now=timezone.now(),
    )


@router.put("/deployments/{deployment_id}/consent", response=DeploymentOut)
def deployment_consent_api(
    request: AuthedRequest, deployment_id: int, payload: ConsentIn
) -> Deployment:
    """The customer (or staff on their written word) allows or withdraws read access."""
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    return deployment_set_consent_for_user(
        deployment=deployment, actor=request.auth, consent=payload.consent, now=timezone.now()
    )


@router.post("/deployments/{deployment_id}/usage-token", response={201: UsageTokenOut})
def deployment_usage_token_api(
    request: AuthedRequest, deployment_id: int
) -> Status[dict[str, str]]:
    """A new token for posting usage; shown once, and it replaces the previous one."""
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    require_staff(request.auth)
    return Status(201, {"token": deployment_usage_token_create(deployment=deployment)})


@router.get("/deployments/{deployment_id}", response=DeploymentDetailOut)
def deployment_detail_api(request: AuthedRequest, deployment_id: int) -> dict[str, object]:
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    overview = selectors.deployment_overview(deployment=deployment, now=timezone.now())
    return selectors.overview_as_dict(overview)


@router.post("/deployments/{deployment_id}/poll", response={202: PollQueuedOut})
def deployment_poll_api(request: AuthedRequest, deployment_id: int) -> Status[dict[str, bool]]:
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    require_staff(request.auth)
    deployment_poll_request(deployment=deployment)
    return Status(202, {"queued": True})


@router.get("/deployments/{deployment_id}/capacity", response=list[TrendOut])
def deployment_capacity_api(request: AuthedRequest, deployment_id: int) -> list[Trend]:
    deployment = selectors.deployment_get_for_user(user=request.auth, deployment_id=deployment_id)
    return capacity_trends(deployment=deployment, now=timezone.now())


@router.post("/deployments/{deployment_id}/usage", response=UsageImportOut, auth=UsageTokenAuth())
def deployment_usage_api(request: HttpRequest, deployment_id: int) -> UsageImport:
    """JSON lines: one ``{"date", "model", "input_tokens", "output_tokens", "cost"}`` a line."""
    deployment = selectors.deployment_get(deployment_id=deployment_id)
    secret = str(getattr(request, "auth", ""))
    if deployment is None or not deployment_usage_token_matches(
        deployment=deployment, secret=secret
    ):
        raise NotFound("deployment_not_found", f"Deployment {deployment_id} was not found.")
    if len(request.body) > MAX_USAGE_BYTES:
        raise ValidationFailed.for_fields({"body": "Send at most 2 MB of usage at once."})
    lines, errors = parse_usage_jsonl(request.body.decode("utf-8", "replace"))
    return usage_import(
        deployment=deployment, lines=lines, errors=errors, source="api", now=timezone.now()
    )
