"""Requests the desk refuses outside any view, answered the same way on every path.

``RequestBodyMiddleware``: request bodies Django cannot or will not read become a clear 4xx.

Django raises while parsing a body lazily, wherever ``request.POST``, ``request.FILES`` or
``request.body`` is first touched (the CSRF check, a form, the API's parser), and each of those
places answered differently: a bare 400, a 500 inside the API. This middleware reads the body
once, up front, so every path answers the same way:

- a multipart body without a valid boundary, or one that cannot be parsed: 400 with a message;
- form fields or a non-file body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413;
- too many fields or files: 400.

Files themselves stream to disk; their per-file limit (``LIFEBUOY_MAX_ATTACHMENT_BYTES``) is the
attachment service's rule, also a 413. ``/api/`` answers in the API's error shape, pages with a
short page.

``ApiMethodNotAllowedMiddleware``: the API's 405 in its documented error shape too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from lifebuoy.core.views import refused_response as _refuse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class RequestBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in BODY_METHODS:
            refused = _read_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def _read_body(request: HttpRequest) -> HttpResponse | None:
    try:
        if request.content_type in FORM_TYPES:
            request.POST  # noqa: B018  # parses the form (and streams its files) once, here
        else:
            request.body  # noqa: B018  # reads the body into memory, within the limit
    except RequestDataTooBig:
        return _refuse(
            request,
            413,
            "payload_too_large",
            "The request body is larger than this server accepts.",
        )
    except (TooManyFieldsSent, TooManyFilesSent):
        return _refuse(request, 400, "bad_request", "The form has too many fields or files.")
    except MultiPartParserError as exc:
        return _refuse(
            request,
            400,
            "bad_request",
            f"The multipart body could not be read ({exc}); send it with its boundary.",
        )
    except UnreadablePostError:
        return _refuse(request, 400, "bad_request", "The request body could not be read.")
    return None


class ApiMethodNotAllowedMiddleware:
    """django-ninja answers a method a path does not take with a plain-text 405; under
    ``/api/`` it becomes the API's JSON error like every other 4xx, keeping ``Allow``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or not request.path_info.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        message = f"{request.method} is not allowed here; use {', '.join(allowed) or 'another'}."
        body = {"code": "method_not_allowed", "message": message, "extra": {"allowed": allowed}}
        refused = JsonResponse(body, status=405)
        refused["Allow"] = ", ".join(allowed)
        return refused
