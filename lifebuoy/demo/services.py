"""Load a demo desk that looks like the real world, the same for the same seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from lifebuoy.accounts.models import Organization, Queue, Role, User
from lifebuoy.accounts.services import organization_create
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import (
    NewTicket,
    TicketChanges,
    message_add,
    ticket_confirm_resolved,
    ticket_create,
    ticket_update,
)

from . import catalog
from .extras import demo_oncall, demo_surveys
from .history import history_written
from .monitoring import demo_deployments

CHANNELS = ["email", "email", "portal", "portal", "portal", "phone", "github", "slack", "community"]
PRIORITIES = ["P1", "P2", "P2", "P3", "P3", "P3", "P4", "P4"]


@dataclass
class DemoSummary:
    organizations: int
    staff: int
    customers: int
    tickets: int
    survey_answers: int = 0
    deployments: int = 0


def demo_exists() -> bool:
    return Organization.objects.filter(slug=catalog.ORGANIZATIONS[0][1]).exists()


def _staff() -> dict[str, User]:
    people: dict[str, User] = {}
    for email, name, role, tier in catalog.STAFF:
        user = User.objects.create_user(
            email,
            catalog.DEMO_PASSWORD,
            full_name=name,
            role=role,
            tier=tier,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        people[email] = user
        if tier is not None:
            Queue.objects.get(slug=f"tier-{tier}").members.add(user)
        elif role == Role.ENGINEER:
            Queue.objects.get(slug="engineering").members.add(user)
    return people


def _organizations(rng: random.Random, staff: dict[str, User]) -> list[list[User]]:
    customers: list[list[User]] = []
    people = list(zip(catalog.CUSTOMER_FIRST_NAMES, catalog.CUSTOMER_SURNAMES, strict=True))
    names = iter(rng.sample(people, len(people)))
    for name, slug, plan, tz, country in catalog.ORGANIZATIONS:
        org = organization_create(name=name, slug=slug, plan=plan, timezone=tz, country=country)
        engineer_email = catalog.NAMED_ENGINEERS.get(slug)
        if engineer_email:
            org.named_engineer = staff[engineer_email]
            org.save(update_fields=["named_engineer"])
            Queue.objects.get(organization=org).members.add(staff[engineer_email])
        members = []
        for position in range(2):
            first, surname = next(names)
            members.append(
                User.objects.create_user(
                    f"{first.lower()}@{slug}.example",
                    catalog.DEMO_PASSWORD,
                    full_name=f"{first} {surname}",
                    role=Role.CUSTOMER,
                    organization=org,
                    # The first of each organization runs its colleagues, webhooks and reviews.
                    is_organization_admin=position == 0,
                )
            )
        customers.append(members)
    return customers


def _conversation(
    rng: random.Random, ticket: Ticket, agents: list[User], at: datetime, *, settled: bool
) -> None:
    """A plausible history: older tickets were mostly answered and resolved, recent ones are the
    live work of the desk."""
    customer = ticket.requester
    agent = ticket.assignee or rng.choice(agents)
    steps = rng.randint(1, 4) if settled else rng.randint(0, 4)
    for step in range(steps):
        at += timedelta(minutes=rng.randint(10, 180) if step == 0 else rng.randint(20, 600))
        if step % 2 == 0:
            if rng.random() < 0.3:
                message_add(
                    ticket=ticket,
                    author=agent,
                    body=rng.choice(catalog.INTERNAL_NOTES),
                    is_internal=True,
                    now=at,
                )
            message_add(ticket=ticket, author=agent, body=rng.choice(catalog.AGENT_REPLIES), now=at)
        else:
            message_add(
                ticket=ticket, author=customer, body=rng.choice(catalog.CUSTOMER_REPLIES), now=at
            )
    fate = rng.random()
    at += timedelta(minutes=rng.randint(30, 900))
    if steps and fate < (0.85 if settled else 0.35):
        ticket_update(
            ticket=ticket, actor=agent, changes=TicketChanges(status=Status.RESOLVED), now=at
        )
        if rng.random() < 0.6:
            ticket_confirm_resolved(ticket=ticket, actor=customer, now=at + timedelta(hours=3))
    elif steps and fate < (0.92 if settled else 0.5):
        ticket_update(
            ticket=ticket, actor=agent, changes=TicketChanges(status=Status.PENDING), now=at
        )


@transaction.atomic
def demo_load(*, seed: int, tickets: int, now: datetime, deployments: bool = True) -> DemoSummary:
    """Create the demo desk: staff, customers in each tier, ``tickets`` tickets over 30 days,
    and (with ``deployments``) monitored deployments, whose problems open tickets of their
    own."""
    rng = random.Random(seed)
    staff = _staff()
    customers = _organizations(rng, staff)
    agents = [u for u in staff.values() if u.role == Role.AGENT]
    categories = list(catalog.TICKETS)
    start = now - timedelta(days=30)
    offsets = sorted(rng.uniform(0, 27 * 24 * 60) for _ in range(tickets))
    with history_written(now=now):
        for offset in offsets:
            created = start + timedelta(minutes=offset)
            requester = rng.choice(rng.choice(customers))
            category = rng.choice(categories)
            subject, description = rng.choice(catalog.TICKETS[category])
            data = NewTicket(
                subject=subject,
                description=description.format(hours=rng.randint(2, 9)),
                priority=rng.choice(PRIORITIES),
                category=category,
                channel=rng.choice(CHANNELS),
            )
            ticket = ticket_create(actor=requester, data=data, now=created)
            _conversation(rng, ticket, agents, created, settled=created < now - timedelta(days=5))
    # After the tickets, so the demo's history pages nobody and the tickets stay what they
    # were for a seed.
    demo_oncall(staff=staff, now=now)
    answers = demo_surveys(rng=rng, now=now)
    # The monitored deployments are polled once, now: their problems' tickets are written as
    # history too (no email, page or follow-up task for them).
    monitored = []
    if deployments:
        with history_written(now=now):
            monitored = demo_deployments(seed=seed, now=now)
    return DemoSummary(
        organizations=len(catalog.ORGANIZATIONS),
        staff=len(staff),
        customers=sum(len(c) for c in customers),
        tickets=tickets,
        survey_answers=answers,
        deployments=len(monitored),
    )
