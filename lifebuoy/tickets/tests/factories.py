"""Tickets for tests, built two ways.

``TicketFactory`` writes the row directly: no routing, SLA clocks, audit entry, acknowledgement
or escalation follow-up. Use it when a test needs a ticket to exist and nothing more.

``ticket_opened`` opens one through the real service (``ticket_create``), so everything that
subscribes to a new ticket runs as it does in production. Use it when the test is about what
follows: clocks and deadlines, deliveries, routing, the audit trail, rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.tickets.models import Category, Channel, Message, Priority, Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create

FACTORY_ACTIVITY = datetime(2026, 11, 1, tzinfo=UTC)


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    plan = "cloud_starter"
    timezone = "UTC"


class CustomerFactory(DjangoModelFactory[User]):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.CUSTOMER
    organization = factory.SubFactory(OrganizationFactory)


class TicketFactory(DjangoModelFactory[Ticket]):
    """A ticket row. ``requester=`` sets the organization too; ``opened_at=`` sets both the
    creation and the last activity to that instant."""

    class Meta:
        model = Ticket

    class Params:
        opened_at: datetime | None = None

    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    requester = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("requester.organization")
    created_at = factory.LazyAttribute(lambda o: o.opened_at or timezone.now())
    last_activity_at = factory.LazyAttribute(lambda o: o.opened_at or FACTORY_ACTIVITY)


class MessageFactory(DjangoModelFactory[Message]):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = factory.Faker("sentence")
    created_at = factory.LazyFunction(lambda: FACTORY_ACTIVITY)


def ticket_opened(
    requester: User,
    at: datetime,
    *,
    subject: str = "C2 stopped committing",
    description: str = "Nothing since 9am.",
    priority: str = Priority.P3,
    category: str = Category.BUG,
    channel: str = Channel.PORTAL,
    tags: tuple[str, ...] = (),
    by: User | None = None,
) -> Ticket:
    """A ticket ``requester`` opens at ``at`` (or that staff member ``by`` logs for them) through
    ``ticket_create``, with its routing, clocks, audit entry and deliveries."""
    data = NewTicket(
        subject=subject,
        description=description,
        priority=priority,
        category=category,
        channel=channel,
        tags=tags,
    )
    return ticket_create(actor=by or requester, requester=requester, data=data, now=at)
