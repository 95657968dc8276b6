"""Content-Security-Policy on every response (Django 5.2 has none built in).

Scripts, styles and everything else come from this site only; no inline script, event handler
or style attribute runs, so an injected ``<script>`` or ``onerror=`` in user text does nothing
even if escaping were ever missed. Images may also be ``data:`` URIs (the weekly report's
charts). No site may frame the desk, ``<base>`` cannot move relative URLs elsewhere, and forms
post only here. A view that truly needs another policy sets the header itself; this middleware
then leaves it alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

HEADER = "Content-Security-Policy"
POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault(HEADER, POLICY)
        return response
