from __future__ import annotations

from datetime import UTC, datetime

import factory
from factory.django import DjangoModelFactory

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.tickets.models import Message, Ticket


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
    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    requester = factory.SubFactory(CustomerFactory)
    organization = factory.SelfAttribute("requester.organization")
    last_activity_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, tzinfo=UTC))


class MessageFactory(DjangoModelFactory[Message]):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = factory.Faker("sentence")
    created_at = factory.LazyFunction(lambda: datetime(2026, 11, 1, tzinfo=UTC))
