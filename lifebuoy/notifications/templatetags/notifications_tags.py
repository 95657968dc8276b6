"""Panels for the agent ticket page and the desk's top bar.

- ``{% delivery_panel ticket %}``: "Sent to the customer", what the outbox did for the ticket;
- ``{% notification_bell %}``: the bell with the unread count, refreshed every 30 s;
- ``{% follow_button ticket %}``: Follow/Unfollow and the followers' names;
- ``{% cc_panel ticket %}``: the customers CC'd on the ticket, with add and remove;
- ``{% mention_assist %}``: the @mention help and autocomplete under the reply box.

The ticket panels take ``present``: the ticket page passes False for a panel it already knows
has no rows (``lifebuoy.desk.panel_rows``), and the panel renders empty without reading. Any
other value, or none, reads as before.
"""

from __future__ import annotations

from typing import Any

from django import template

from lifebuoy.accounts.models import User
from lifebuoy.notifications.selectors import delivery_list_for_ticket
from lifebuoy.notifications.staff.selectors import (
    notification_unread_count,
    ticket_cc_list,
    ticket_follower_list,
)
from lifebuoy.tickets.models import Ticket

register = template.Library()

SHOWN = 10


@register.inclusion_tag("notifications/delivery_panel.html")
def delivery_panel(ticket: Ticket, present: object = None) -> dict[str, Any]:
    if present is False:
        return {"deliveries": []}
    deliveries = list(delivery_list_for_ticket(ticket_id=ticket.id).order_by("-id")[:SHOWN])
    return {"deliveries": deliveries}


def _viewer(context: template.Context) -> User | None:
    user = context.get("user")
    return user if isinstance(user, User) and user.is_support_staff else None


@register.inclusion_tag("notifications/staff/bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    viewer = _viewer(context)
    return {"unread": notification_unread_count(user=viewer) if viewer else 0}


@register.inclusion_tag("notifications/follow_button.html", takes_context=True)
def follow_button(
    context: template.Context, ticket: Ticket, present: object = None
) -> dict[str, Any]:
    followers = [] if present is False else ticket_follower_list(ticket_id=ticket.id)
    viewer = _viewer(context)
    following = viewer is not None and any(f.id == viewer.id for f in followers)
    return {"ticket": ticket, "followers": followers, "following": following}


@register.inclusion_tag("notifications/cc_panel.html")
def cc_panel(ticket: Ticket, present: object = None) -> dict[str, Any]:
    ccs = [] if present is False else ticket_cc_list(ticket_id=ticket.id)
    return {"ticket": ticket, "ccs": ccs}


@register.inclusion_tag("notifications/mention_assist.html")
def mention_assist() -> dict[str, Any]:
    return {}
