"""Times in mail to a person, written in their time zone (their profile's, else for a customer
their organization's; ``accounts.timezones``) with the zone's abbreviation, as their pages
show them. Mail is rendered by a worker, outside any request's active zone, so the zone is
chosen for the reader here."""

from __future__ import annotations

from datetime import datetime

from lifebuoy.accounts.models import User
from lifebuoy.accounts.timezones import zone_for_viewer

READER_TIME = "%a %d %b %Y, %H:%M %Z"


def reader_time(*, reader: User, at: datetime, fmt: str = READER_TIME) -> str:
    """``at`` as ``reader`` reads times, e.g. "Tue 24 Nov 2026, 15:00 CET"."""
    return at.astimezone(zone_for_viewer(user=reader)).strftime(fmt)
