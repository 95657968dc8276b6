"""The time panel on the agent ticket page, as an inclusion tag so the ticket view needs no
time-tracking code."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Ticket
from lifebuoy.timetracking.forms import TimeEntryForm
from lifebuoy.timetracking.selectors import duration_text, time_for_ticket
from lifebuoy.timetracking.services import time_entry_may_remove

register = template.Library()

PANEL_ENTRIES = 5


@register.inclusion_tag("timetracking/panel.html", takes_context=True)
def time_panel(context: dict[str, Any], ticket: Ticket, present: object = None) -> dict[str, Any]:
    """``present=False``: the page knows the ticket has no time entries and the viewer no
    running timer."""
    user = context["request"].user
    if not isinstance(user, User) or not user.is_support_staff:
        return {"show": False}
    now = timezone.now()
    return {
        "show": True,
        "time": time_for_ticket(
            ticket=ticket, viewer=user, now=now, limit=PANEL_ENTRIES, stored=present is not False
        ),
        "form": TimeEntryForm(initial={"worked_on": now.date()}),
        "csrf_token": context.get("csrf_token"),
        "viewer": user,
    }


@register.simple_tag
def may_remove(entry: Any, viewer: User) -> bool:
    return time_entry_may_remove(entry=entry, actor=viewer)


@register.filter
def duration(seconds: int | None) -> str:
    return "running" if seconds is None else duration_text(seconds)
