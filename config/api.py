"""The one NinjaAPI. Every error leaves as JSON ``{"code", "message", "extra"}``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema

from lifebuoy.accounts.api import router as accounts_router
from lifebuoy.accounts.api_auth import api_auth
from lifebuoy.core.errors import LifebuoyError
from lifebuoy.core.idempotency import KEY_HEADER
from lifebuoy.core.schemas import ErrorOut
from lifebuoy.core.write_endpoints import WRITE_METHODS, idempotency_key, write_in_transaction
from lifebuoy.escalations.api import router as escalations_router
from lifebuoy.kb.api import router as kb_router
from lifebuoy.macros.api import router as macros_router
from lifebuoy.monitoring.api import router as monitoring_router
from lifebuoy.notifications.api import router as notifications_router
from lifebuoy.notifications.staff.api import router as staff_notifications_router
from lifebuoy.notifications.webhooks.api import router as webhooks_router
from lifebuoy.reports.api import router as reports_router
from lifebuoy.sla.api import router as sla_router
from lifebuoy.surveys.api import router as surveys_router
from lifebuoy.tickets.api import attachments_router, staff_router
from lifebuoy.tickets.api import router as tickets_router
from lifebuoy.timetracking.api import router as timetracking_router
from lifebuoy.timetracking.api import running_router as time_running_router


class LifebuoyAPI(NinjaAPI):
    """Documents the one error shape on every operation, so the schema covers each answer."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
        error = {
            "description": "The request was refused: a code, a sentence and details.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["responses"].setdefault("4XX", error)
                if method.upper() in WRITE_METHODS:
                    operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY_PARAMETER)
        return schema


_IDEMPOTENCY_KEY_PARAMETER = {
    "in": "header",
    "name": KEY_HEADER,
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "A unique string of yours (e.g. a UUID). A retry with the same key and the "
    "same request gets the first answer (with `Idempotent-Replayed: true`) and is not done "
    "again; the same key with a different request is refused (422). Kept for 24 hours.",
}


api = LifebuoyAPI(
    title="Lifebuoy API",
    version="1.0.0",
    description="The support desk for Dual Trinity deployments. Authenticate with "
    "`Authorization: Bearer <token>` (create one at /api/tokens) or a browser session.",
    auth=api_auth,
    docs_url="/docs",
)
# Every write runs in one transaction that ends with its answer rendered, and takes an
# Idempotency-Key (lifebuoy.core.write_endpoints.py).
api.add_decorator(write_in_transaction, mode="view")
api.add_decorator(idempotency_key, mode="operation")
api.add_router("/", accounts_router)
api.add_router("/tickets/", tickets_router)
api.add_router("/tickets/", sla_router)
api.add_router("/attachments/", attachments_router)
api.add_router("/staff/", staff_router)
api.add_router("/kb/", kb_router)
api.add_router("/monitoring/", monitoring_router)
api.add_router("/notifications/", notifications_router)
api.add_router("/macros/", macros_router)
api.add_router("/notifications/", staff_notifications_router)
api.add_router("/webhooks/", webhooks_router)
api.add_router("/escalations/", escalations_router)
api.add_router("/reports/", reports_router)
api.add_router("/surveys/", surveys_router)
api.add_router("/tickets/", timetracking_router)
api.add_router("/time/", time_running_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, extra: object = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "extra": extra or {}}, status=status
    )


@api.exception_handler(LifebuoyError)
def lifebuoy_error(request: HttpRequest, exc: LifebuoyError) -> HttpResponse:
    return _error(request, exc.http_status, exc.code, exc.message, exc.extra)


def _field_name(loc: list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or "body"


def _in_path(err: dict[str, object]) -> bool:
    loc = err.get("loc")
    return isinstance(loc, list | tuple) and bool(loc) and loc[0] == "path"


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    if any(_in_path(err) for err in exc.errors):
        # /tickets/abc names no ticket: the same 404 as one that does not exist, whatever the body.
        return not_found(request, Http404())
    fields: dict[str, str] = {}
    for err in exc.errors:
        fields.setdefault(_field_name(list(err.get("loc", []))), str(err.get("msg", "Invalid.")))
    names = ", ".join(sorted(fields))
    return _error(request, 422, "invalid_input", f"Please correct: {names}.", {"fields": fields})


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", "Sign in or send a valid API token.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "http_error", str(exc))
