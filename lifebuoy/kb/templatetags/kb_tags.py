"""The knowledge-base panel on the agent ticket page, as an inclusion tag so the ticket view
needs no knowledge-base code."""

from __future__ import annotations

from typing import Any

from django import template

from lifebuoy.accounts.models import User
from lifebuoy.kb.selectors import kb_articles_for_ticket, kb_suggest
from lifebuoy.tickets.models import Status, Ticket

register = template.Library()

SUGGESTED_ON_TICKET = 5


@register.inclusion_tag("kb/ticket_panel.html", takes_context=True)
def kb_ticket_panel(
    context: dict[str, Any], ticket: Ticket, links: object = None
) -> dict[str, Any]:
    """``links=False``: the page knows no article is linked to the ticket."""
    user = context["request"].user
    viewer = user if isinstance(user, User) else None
    linked = [] if links is False else kb_articles_for_ticket(ticket=ticket)
    suggested = kb_suggest(
        user=viewer,
        subject=ticket.subject,
        description=ticket.description,
        limit=SUGGESTED_ON_TICKET,
    )
    linked_ids = {a.id for a in linked}
    return {
        "ticket": ticket,
        "linked": linked,
        "suggested": [a for a in suggested if a.id not in linked_ids],
        "offer_article": not linked and ticket.status in (Status.RESOLVED, Status.CLOSED),
        "csrf_token": context.get("csrf_token"),
    }
