"""Template filters of the ticket page's timeline."""

from __future__ import annotations

from django import template
from django.db import models

from lifebuoy.tickets.models import Category, Channel, Priority, Status

register = template.Library()

# Fields whose audit values are choice codes, shown by their labels ("pending" reads
# "Pending customer").
_CHOICES: dict[str, type[models.TextChoices]] = {
    "status": Status,
    "priority": Priority,
    "category": Category,
    "channel": Channel,
}


@register.filter
def event_value(value: str, field: str) -> str:
    """An audit entry's old or new value as the ticket page names it."""
    choices = _CHOICES.get(field)
    if choices is None or value not in choices.values:
        return value
    return str(choices(value).label)
