"""A customer CC'd on a ticket sees it, whatever their organization lets its members see:
registered with ``tickets.selectors.ticket_visible_extend`` from this app's ``ready()``."""

from __future__ import annotations

from django.db.models import Q

from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import TicketCc


def ticket_cc_visibility(user: User) -> Q:
    """The tickets ``user`` is CC'd on (a subquery, so a ticket with several CCs is still one
    row of the list)."""
    return Q(id__in=TicketCc.objects.filter(user_id=user.id).values("ticket_id"))
