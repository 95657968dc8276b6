"""Links that leave the site: in emails, Slack messages and webhooks, always absolute, on
``LIFEBUOY_BASE_URL``."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Reversed in place of an object's id, then cut out: a number no real id reaches and whose digits
# no path segment of the desk's own contains.
_MARKER = 987_654_321_987


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``, with any query string) on the desk's public address."""
    return str(settings.LIFEBUOY_BASE_URL).rstrip("/") + path


def id_path(name: str, object_id: int) -> str:
    """``reverse(name, args=[object_id])`` for a URL whose one argument is an integer id.

    Reversing walks the URL patterns and checks the result against its pattern each time, which
    costs more than the rest of a ticket's acknowledgement email; the path around the id is the
    same for every id, so it is reversed once (per script prefix and URL configuration, as
    ``reverse`` itself depends on them) and the id put in its place."""
    head, tail = _around_id(name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    return f"{head}{int(object_id)}{tail}"


@lru_cache(maxsize=64)
def _around_id(name: str, _prefix: str, _urlconf: str | None, _root: str) -> tuple[str, str]:
    path = reverse(name, args=[_MARKER])
    head, found, tail = path.partition(str(_MARKER))
    if not found or str(_MARKER) in tail:
        raise ValueError(f"the URL {name!r} does not show its id once: {path}")
    return head, tail


def desk_ticket_url(ticket_id: int) -> str:
    """The ticket's page on the agent desk."""
    return absolute_url(id_path("desk:detail", ticket_id))


def portal_ticket_url(ticket_id: int) -> str:
    """The ticket's page in the customer portal."""
    return absolute_url(id_path("portal:detail", ticket_id))
