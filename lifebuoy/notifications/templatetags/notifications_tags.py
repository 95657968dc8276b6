"""The "Sent to the customer" panel on the agent ticket page: what the outbox did for it."""

from __future__ import annotations

from typing import Any

from django import template

from lifebuoy.notifications.selectors import delivery_list_for_ticket
from lifebuoy.tickets.models import Ticket

register = template.Library()

SHOWN = 10


@register.inclusion_tag("notifications/delivery_panel.html")
def delivery_panel(ticket: Ticket) -> dict[str, Any]:
    deliveries = list(delivery_list_for_ticket(ticket_id=ticket.id).order_by("-id")[:SHOWN])
    return {"deliveries": deliveries}
