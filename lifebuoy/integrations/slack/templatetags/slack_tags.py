"""``{% slack_panel ticket %}``: the ticket page's Slack thread (where it is, files, edits and
deletions made in Slack, posts that could not be made)."""

from __future__ import annotations

from typing import Any

from django import template

from lifebuoy.integrations.slack.selectors import slack_thread_view
from lifebuoy.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("slack/ticket_panel.html")
def slack_panel(ticket: Ticket, present: object = None) -> dict[str, Any]:
    """``present=False``: the page knows the ticket has no Slack thread."""
    if present is False or (ticket.channel != "slack" and not ticket.follow_up_of_id):
        return {"view": None, "ticket": ticket}
    return {"view": slack_thread_view(ticket=ticket), "ticket": ticket}
