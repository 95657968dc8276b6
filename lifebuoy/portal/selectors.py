"""Reads for the portal's ticket pages: what a customer is told about a ticket (who handles it,
its priority and response targets, whether it can be reopened) and the colleagues they may CC.

Callers pass a ticket that went through the ticket gate (``ticket_get_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.staff.selectors import ticket_cc_list
from lifebuoy.sla.selectors import sla_clock_list_for_user
from lifebuoy.tickets.models import OPEN_STATUSES, Ticket
from lifebuoy.tickets.search.selectors import ticket_search_for_user
from lifebuoy.tickets.selectors import (
    TicketFilters,
    TicketPage,
    ticket_list_for_user,
    ticket_visible,
)
from lifebuoy.tickets.services import ticket_may_reopen, ticket_reopen_until

SUPPORT_TEAM = "Our support team"


def portal_ticket_page(*, user: User, text: str, show: str, cursor: str | None) -> TicketPage:
    """The portal's list: the tickets ``user`` may see, open ones unless ``show`` is "all",
    most recently active first; with ``text``, the ones matching it (one page of the best
    matches, best first, see ``tickets.search``; ``extra["hits"]`` holds each with the passage
    that matched)."""
    statuses = tuple(OPEN_STATUSES) if show == "open" else ()
    if text.strip():
        hits = ticket_search_for_user(user=user, text=text, statuses=statuses)
        return TicketPage(items=[h.ticket for h in hits], next_cursor=None, extra={"hits": hits})
    return ticket_list_for_user(
        user=user,
        filters=TicketFilters(status=statuses, sort="activity"),
        cursor=cursor,
    )


def ticket_handler_name(ticket: Ticket) -> str:
    """Who the customer is told handles the ticket: its owner, else its assignee, else the team."""
    person = ticket.owner or ticket.assignee
    return person.display_name if person is not None else SUPPORT_TEAM


@dataclass(frozen=True)
class PortalTicketFacts:
    """The facts beside a ticket in the portal."""

    handler: str
    tier_label: str
    targets: list[dict[str, Any]]
    reopen_until: datetime | None
    may_reopen: bool
    ccs: list[User] = field(default_factory=list)
    colleagues: list[User] = field(default_factory=list)
    follow_ups: list[Ticket] = field(default_factory=list)
    follow_up_of: Ticket | None = None


def portal_ticket_facts(*, user: User, ticket: Ticket, now: datetime) -> PortalTicketFacts:
    ccs = ticket_cc_list(ticket_id=ticket.id)
    taken = {person.id for person in ccs} | {ticket.requester_id}
    visible = ticket_visible(user=user)  # linked tickets are shown only to who may open them
    return PortalTicketFacts(
        handler=ticket_handler_name(ticket),
        tier_label=ticket.organization.support_tier.label,
        targets=sla_clock_list_for_user(user=user, ticket=ticket, now=now),
        reopen_until=ticket_reopen_until(ticket),
        may_reopen=ticket_may_reopen(ticket=ticket, now=now),
        ccs=ccs,
        colleagues=[c for c in colleague_list(ticket=ticket) if c.id not in taken],
        follow_ups=list(visible.filter(follow_up_of=ticket).order_by("id")),
        follow_up_of=visible.filter(id=ticket.follow_up_of_id).first()
        if ticket.follow_up_of_id
        else None,
    )


def colleague_list(*, ticket: Ticket) -> QuerySet[User]:
    """The active customers of the ticket's organization: the people who may be CC'd on it."""
    return User.objects.filter(
        organization_id=ticket.organization_id, role=Role.CUSTOMER, is_active=True
    ).order_by("full_name", "email")
