"""Shared set-up for escalation tests: a complete checklist, owners and tags on tickets, staff
in queues. Tickets are opened with ``lifebuoy.tickets.tests.factories.ticket_opened``."""

from __future__ import annotations

from datetime import datetime

from lifebuoy.accounts.models import Organization, Queue, Role, User
from lifebuoy.accounts.services import organization_create
from lifebuoy.escalations.models import CHECKLIST_ITEMS
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update


def checklist(**overrides: str) -> dict[str, str]:
    items = {key: f"{label} — documented." for key, label in CHECKLIST_ITEMS.items()}
    items.update(overrides)
    return items


def owned_by(ticket: Ticket, agent: User, now: datetime) -> Ticket:
    """The agent answers first, which makes them the owner."""
    message_add(ticket=ticket, author=agent, body="Looking into it.", now=now)
    ticket.refresh_from_db()
    return ticket


def tag(ticket: Ticket, agent: User, now: datetime, *names: str) -> Ticket:
    return ticket_update(ticket=ticket, actor=agent, changes=TicketChanges(tags=names), now=now)


def staff(email: str, role: str = Role.AGENT, *, queue: str | None = None) -> User:
    user = User.objects.create_user(
        email, "pw-for-tests-1", full_name=email.split("@", maxsplit=1)[0].title(), role=role
    )
    if queue:
        Queue.objects.get(slug=queue).members.add(user)
    return user


def community_org() -> Organization:
    return organization_create(name="Initech", slug="initech", plan="community", timezone="UTC")


def customer(org: Organization, email: str) -> User:
    return User.objects.create_user(
        email, "pw-for-tests-1", full_name="Peter", role=Role.CUSTOMER, organization=org
    )
