"""Scope triage: the playbook's out-of-scope requests get the handoff reply and leave the queue.

Custom development → Professional Services, third-party software → that software's vendor,
training → the Training team, non-technical questions → Sales. The reply is the out-of-scope
template; then the ticket is closed (``close=True``) or handed off: left pending with a
``handoff-<team>`` tag so whoever takes it over can find it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, PermissionDenied
from lifebuoy.notifications.models import MessageTemplate, TemplateKey
from lifebuoy.notifications.services.templates import template_render
from lifebuoy.tickets.models import Category, Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update

# Category -> (who takes it, tag)
REFERRALS: dict[str, tuple[str, str]] = {
    Category.CUSTOM_DEVELOPMENT: ("our Professional Services team", "professional-services"),
    Category.THIRD_PARTY: ("the vendor of that third-party software", "third-party-vendor"),
    Category.TRAINING: ("our Training team", "training"),
    Category.NON_TECHNICAL: ("our Sales team", "sales"),
}


def scope_referral(ticket: Ticket) -> tuple[str, str] | None:
    return REFERRALS.get(ticket.category)


@transaction.atomic
def scope_triage(*, ticket: Ticket, actor: User, close: bool, now: datetime) -> Ticket:
    """Answer an out-of-scope ticket with the handoff template, then close or hand it off."""
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff triage tickets.")
    referral = scope_referral(ticket)
    if referral is None:
        raise InvalidState(
            "in_scope",
            f"{ticket.get_category_display()} is within support scope; answer it as usual.",
        )
    if not ticket.is_open:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is not open.")
    team, tag = referral
    template = MessageTemplate.objects.get(key=TemplateKey.OUT_OF_SCOPE)
    rendered = template_render(
        template=template, ticket=ticket, agent=actor, values={"referral": team}
    )
    message_add(ticket=ticket, author=actor, body=rendered.body, now=now)
    tags = (*(t.name for t in ticket.tags.all()), f"handoff-{tag}", "out-of-scope")
    if close:
        ticket_update(
            ticket=ticket,
            actor=actor,
            changes=TicketChanges(status=Status.RESOLVED, tags=tags),
            now=now,
        )
        return ticket_update(
            ticket=ticket, actor=actor, changes=TicketChanges(status=Status.CLOSED), now=now
        )
    return ticket_update(
        ticket=ticket, actor=actor, changes=TicketChanges(status=Status.PENDING, tags=tags), now=now
    )
