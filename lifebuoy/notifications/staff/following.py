"""Who hears about a ticket besides its owner and assignee: staff who follow it (they are told
of customers' replies), and customers of its organization CC'd on it (they are emailed its
public replies, like the requester; never internal notes)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.notifications.models import TicketCc, TicketFollower
from lifebuoy.notifications.staff.selectors import ticket_cc_list, ticket_follower_list
from lifebuoy.tickets.models import Ticket


def _staff_required(user: User, what: str) -> None:
    if not (user.is_active and user.is_support_staff):
        raise PermissionDenied("not_allowed", f"Only support staff {what}.")


def ticket_follow(*, ticket: Ticket, user: User, now: datetime) -> list[User]:
    """``user`` follows ``ticket`` (again is a no-op); the followers after."""
    _staff_required(user, "follow tickets")
    TicketFollower.objects.get_or_create(ticket=ticket, user=user, defaults={"created_at": now})
    return ticket_follower_list(ticket_id=ticket.id)


def ticket_unfollow(*, ticket: Ticket, user: User) -> list[User]:
    """``user`` stops following ``ticket`` (a no-op if they did not); the followers after."""
    _staff_required(user, "follow tickets")
    TicketFollower.objects.filter(ticket=ticket, user=user).delete()
    return ticket_follower_list(ticket_id=ticket.id)


def _cc_candidate(ticket: Ticket, email: str, actor: User) -> User:
    """The customer ``email`` names, if they may be CC'd on ``ticket``; else a refusal that
    says why, on the ``email`` field. A customer is never told whether an address outside
    their organization has an account."""
    address = email.strip()
    person = User.objects.filter(email__iexact=address).first() if address else None
    if person is None or not person.is_active or person.role != Role.CUSTOMER:
        person = None
    if actor.is_customer and (person is None or person.organization_id != ticket.organization_id):
        problem = f"Choose a colleague at {ticket.organization.name}."
    elif person is None:
        problem = "Enter the email address of an active customer."
    elif person.organization_id != ticket.organization_id:
        problem = f"Only customers of {ticket.organization.name} can be CC'd on this ticket."
    elif person.id == ticket.requester_id:
        problem = f"{person.display_name} requested this ticket and gets its replies already."
    else:
        return person
    raise ValidationFailed.for_fields({"email": problem})


def _cc_allowed(actor: User, ticket: Ticket) -> None:
    """Staff CC customers on any ticket; a customer on a ticket of their own organization (one
    they reached through the ticket gate), from the portal."""
    colleague = actor.is_customer and actor.organization_id == ticket.organization_id
    if not (actor.is_active and (actor.is_support_staff or colleague)):
        raise PermissionDenied(
            "not_allowed", "Only support staff and the ticket's organization CC people on it."
        )


@transaction.atomic
def ticket_cc_add(*, ticket: Ticket, actor: User, email: str, now: datetime) -> list[User]:
    """CC the customer with address ``email`` on ``ticket``; the CC'd customers after."""
    _cc_allowed(actor, ticket)
    person = _cc_candidate(ticket, email, actor)
    TicketCc.objects.get_or_create(
        ticket=ticket, user=person, defaults={"added_by": actor, "created_at": now}
    )
    return ticket_cc_list(ticket_id=ticket.id)


def ticket_cc_remove(*, ticket: Ticket, actor: User, user_id: int) -> list[User]:
    """Stop CC'ing one customer on ``ticket``; the CC'd customers after."""
    _cc_allowed(actor, ticket)
    TicketCc.objects.filter(ticket=ticket, user_id=user_id).delete()
    return ticket_cc_list(ticket_id=ticket.id)
