"""The escalation panel on the agent ticket page, as an inclusion tag so the ticket view needs
no escalation code."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.escalations.selectors import (
    escalation_view_for_user,
    escalation_view_of_ticket,
    page_list_for_ticket,
)
from lifebuoy.escalations.services.triage import scope_referral
from lifebuoy.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("escalations/panel.html", takes_context=True)
def escalation_panel(
    context: dict[str, Any], ticket: Ticket, present: object = None
) -> dict[str, Any]:
    """``present=False``: the page knows the ticket has no escalation state, suggestion or
    page, so none is read."""
    user = context["request"].user
    if not isinstance(user, User) or not user.is_support_staff:
        return {"show": False}
    now = timezone.now()
    referral = scope_referral(ticket)
    return {
        "show": True,
        "ticket": ticket,
        "view": escalation_view_of_ticket(
            user=user, ticket=ticket, now=now, stored=present is not False
        ),
        "pages": page_list_for_ticket(user=user, ticket=ticket) if present is not False else [],
        "referral": referral[0] if referral else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("escalations/public_status.html", takes_context=True)
def escalation_public_status(context: dict[str, Any], ticket: Ticket) -> dict[str, Any]:
    """For the customer: which team has the ticket and when the next update is due. Nothing
    else about the escalation leaves the desk."""
    user = context["request"].user
    if not isinstance(user, User):
        return {"view": None}
    view = escalation_view_for_user(user=user, ticket_id=ticket.id, now=timezone.now())
    return {"view": view if view.escalated_at and ticket.is_open else None}
