"""Which time zone a person's pages show times in.

Every page prints times in the viewer's zone, chosen per request (``TimezoneMiddleware``):

1. the zone the person picked on their profile;
2. for a customer, their organization's zone;
3. for staff, the zone their browser reports (``app.js`` keeps it in the ``tz`` cookie);
4. otherwise UTC.

A zone name from anywhere (a form, a cookie) counts only if the zone database knows it.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lifebuoy.accounts.models import User

ZONE_COOKIE = "tz"
"""The cookie in which the browser's script stores the browser's zone name."""


@functools.cache
def zone_names() -> frozenset[str]:
    """Every zone name the zone database knows (read once: listing them walks the disk)."""
    return frozenset(zoneinfo.available_timezones())


def zone_parse(name: str | None) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None for an empty or unknown name."""
    if not name or name not in zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


def zone_choices() -> list[tuple[str, str]]:
    """The zones a person may pick, by name, e.g. ``("Europe/Berlin", "Europe/Berlin")``.
    Only ``Area/City`` names and UTC: the database's aliases (``US/Pacific``, ``Etc/GMT+8``)
    would make the list twice as long without adding a place."""
    names = sorted(
        name
        for name in zone_names()
        if "/" in name and not name.startswith(("Etc/", "US/", "SystemV/"))
    )
    return [("UTC", "UTC"), *((name, name.replace("_", " ")) for name in names)]


def zone_for_viewer(*, user: User | None, browser_zone: str = "") -> tzinfo:
    """The zone ``user``'s pages show times in (see the module's docstring for the order)."""
    if user is None or not user.is_active:
        return UTC
    own = zone_parse(user.timezone)
    if own is not None:
        return own
    if user.is_customer:
        return zone_parse(user.organization.timezone if user.organization else "") or UTC
    if user.is_support_staff:
        return zone_parse(browser_zone) or UTC
    return UTC
