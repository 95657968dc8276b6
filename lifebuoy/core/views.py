"""Shared pieces of the HTML interface: showing a service's error on a form, refusals, uploads
of several files, and the health check. The role decorators are in ``accounts.decorators``."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from lifebuoy.core.errors import (
    LifebuoyError,
    PayloadTooLarge,
    ValidationFailed,
)

View = Callable[..., HttpResponse]


def apply_error(request: HttpRequest, form: forms.Form | None, exc: LifebuoyError) -> None:
    """Show a service error on the form's fields where it names them, else as a message (the
    fields' own messages, when the error names fields but the page has no form for them)."""
    fields: dict[str, str] = (
        exc.extra.get("fields", {}) if isinstance(exc, ValidationFailed) else {}
    )
    if form is not None and fields:
        for field, message in fields.items():
            form.add_error(field if field in form.fields else None, message)
        return
    messages.error(request, " ".join(fields.values()) if fields else exc.message)


class ServiceCall:
    """A service called from a page, whose refusal the page shows rather than raises::

        with ServiceCall(request, form) as call:
            ticket_update(...)
            messages.success(request, "Saved.")
            return redirect(...)
        return render(..., status=call.status(400))

    A ``LifebuoyError`` raised inside the block is shown on ``form`` (``apply_error``) and
    kept in ``error``; the block stops there and the code after it runs. Anything else
    propagates."""

    def __init__(self, request: HttpRequest, form: forms.Form | None = None) -> None:
        self.request = request
        self.form = form
        self.error: LifebuoyError | None = None

    def __enter__(self) -> ServiceCall:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(exc, LifebuoyError):
            return False
        apply_error(self.request, self.form, exc)
        self.error = exc
        return True

    @property
    def failed(self) -> bool:
        return self.error is not None

    def status(self, default: int = 200) -> int:
        """The status of the page shown after the block: ``default`` when the service
        succeeded or refused as a form error, 413 for an upload over the limit."""
        return default if self.error is None else error_status(self.error, default)


def refused_response(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """A request refused before any form could show the error: the API's JSON error under
    ``/api/``, else a short page with the message."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "extra": {}}, status=status)
    title = "Too large" if status == 413 else "Bad request"
    context = {"title": title, "message": message}
    return render(request, "core/request_refused.html", context, status=status)


def error_status(exc: LifebuoyError, default: int) -> int:
    """The status of a page that shows ``exc`` on its form: ``default``, except that an upload
    over the attachment limit is a 413 on every page, as it is in the API."""
    return exc.http_status if isinstance(exc, PayloadTooLarge) else default


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def health_view(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when this process can reach its database (a web
    process needs nothing else to serve), with the background processes' state beside it:
    ``"status": "degraded"`` while the scheduler or every worker is silent."""
    from django.db import DatabaseError, connection
    from django.utils import timezone

    from lifebuoy.core.heartbeats import background_health

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        health = background_health(now=timezone.now())
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    seen = health.scheduler.seen_at
    return JsonResponse(
        {
            "status": "ok" if health.ok else "degraded",
            "database": connection.vendor,
            "scheduler": {
                "state": "silent" if health.scheduler.silent else "ok",
                "seen_at": seen.isoformat() if seen else None,
            },
            "workers": {
                "ok": sum(not w.silent for w in health.workers),
                "silent": sum(w.silent for w in health.workers),
            },
        }
    )
