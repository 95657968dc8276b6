"""The site's URLs plus one that fails, to see the 500 page in a browser."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_patterns


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, on purpose")


urlpatterns = [path("broken/", broken_view), *site_patterns]
