"""Previous and next pages of a keyset-paginated queue.

The queue pages with opaque cursors, which only go forward. To go back, each page link carries
the trail of cursors that led to it (``FIRST`` standing for the first page, which has none);
"previous" pops the trail. The trail's length is the page's number, so the page also knows which
rows it shows ("51–100 of 1,234").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

FIRST = "0"
SEPARATOR = "."  # not in the URL-safe base64 alphabet cursors use
MAX_DEPTH = 400


@dataclass(frozen=True)
class PageLinks:
    start: int  # the number of this page's first row, from 1
    previous: str | None  # a query string, or None on the first page
    next: str | None


def trail_parse(raw: str) -> list[str]:
    """The cursors behind this page; an over-long or empty trail starts again from page 1."""
    parts = [part for part in raw.split(SEPARATOR) if part] if raw else []
    return parts if len(parts) <= MAX_DEPTH else []


def page_links(
    params: QueryDict,
    *,
    cursor: str | None,
    next_cursor: str | None,
    trail: list[str],
    page_size: int,
) -> PageLinks:
    """Links to the pages around this one, keeping every other parameter of ``params``."""
    base = params.copy()
    base.pop("cursor", None)
    base.pop("trail", None)

    def query(at: str | None, behind: list[str]) -> str:
        q = base.copy()
        if at is not None:
            q["cursor"] = at
        if behind:
            q["trail"] = SEPARATOR.join(behind)
        return q.urlencode()

    previous = None
    if cursor is not None:
        back = trail[-1] if trail else FIRST
        previous = query(None if back == FIRST else back, trail[:-1])
    following = None
    if next_cursor is not None:
        following = query(next_cursor, [*trail, cursor or FIRST])
    depth = len(trail) + (1 if cursor is not None and not trail else 0)
    return PageLinks(start=depth * page_size + 1, previous=previous, next=following)
