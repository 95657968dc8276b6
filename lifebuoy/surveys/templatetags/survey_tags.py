"""The "Satisfaction" panel on the agent ticket page (staff only, like the page itself)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lifebuoy.surveys.selectors import survey_for_ticket
from lifebuoy.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("surveys/ticket_panel.html")
def survey_panel(ticket: Ticket, present: object = None) -> dict[str, Any]:
    """``present=False``: the page knows the ticket has no survey."""
    survey = None if present is False else survey_for_ticket(ticket_id=ticket.id)
    return {"survey": survey, "now": timezone.now()}
