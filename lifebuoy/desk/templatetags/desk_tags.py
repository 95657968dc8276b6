"""Template filters of the desk's pages."""

from __future__ import annotations

from datetime import datetime

from django import template

from lifebuoy.desk.selectors import COUNT_CAP

register = template.Library()


@register.filter
def view_count(count: int | None) -> str:
    """A view's count: "1,234", or "10k+" past the exact limit."""
    if count is None:
        return "…"
    if count > COUNT_CAP:
        return f"{COUNT_CAP // 1000}k+"
    return f"{count:,}"


@register.filter
def age(then: datetime, now: datetime) -> str:
    """How long ago, in its largest unit: "just now", "12m ago", "7h ago", "3d ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


@register.filter
def event_words(action: str) -> str:
    """An audit action as words: "reply_added" reads "reply added"."""
    return action.replace("_", " ")
