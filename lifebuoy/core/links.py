"""Links that leave the site: in emails, Slack messages and webhooks, always absolute, on
``LIFEBUOY_BASE_URL``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` (from ``reverse``, with any query string) on the desk's public address."""
    return str(settings.LIFEBUOY_BASE_URL).rstrip("/") + path


def desk_ticket_url(ticket_id: int) -> str:
    """The ticket's page on the agent desk."""
    return absolute_url(reverse("desk:detail", args=[ticket_id]))


def portal_ticket_url(ticket_id: int) -> str:
    """The ticket's page in the customer portal."""
    return absolute_url(reverse("portal:detail", args=[ticket_id]))
