"""Template filters of the desk's pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


@register.filter
def checkboxes(field: BoundField) -> SafeString:
    """A multiple-choice field's boxes, each inside its label, as Django's checkbox widget
    renders them (same ids, ``checked``, ``aria-invalid``), but built in one pass: the queue's
    filters hold dozens of boxes, and a widget template per box cost more than the rest of
    the filter form."""
    return format_html_join(
        "",
        '<label class="check"><input type="{}" name="{}" value="{}"{}> {}</label>',
        (
            (
                box.data["type"],
                box.data["name"],
                box.data["value"],
                _attrs(box.data["attrs"]),
                box.choice_label,
            )
            for box in field.subwidgets
        ),
    )


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Attributes in their order, as Django's widget templates write them: ``True`` names the
    attribute alone, ``False`` leaves it out."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )
