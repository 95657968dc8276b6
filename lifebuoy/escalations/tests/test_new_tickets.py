"""A new ticket queues its escalation follow-up only when the follow-up has something to do: the
decision made in the request agrees with what the follow-up itself would find."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifebuoy.escalations.models import EscalationPolicy, Firing, Page, PolicyLevel, Rule
from lifebuoy.escalations.services.ticket_events import ticket_event_followup
from lifebuoy.escalations.tasks import ticket_event_followup as followup_task
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import community_org, customer

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)

TAG_SETS = [(), ("complex",), ("clear-bug",), ("vulnerability",), ("strong-need",)]
KINDS = [("P3", "bug"), ("P2", "feature_request"), ("P4", "performance"), ("P1", "bug")]


@pytest.fixture
def requesters(alice, charlie) -> dict[str, object]:
    return {
        "community": customer(community_org(), "peter@initech.example"),
        "acme": alice,
        "globex": charlie,
    }


@pytest.mark.parametrize("org", ["community", "acme", "globex"])
@pytest.mark.parametrize("tags", TAG_SETS)
def test_the_follow_up_is_queued_exactly_when_it_has_something_to_do(
    org, tags, requesters, grace, published_tasks, django_capture_on_commit_callbacks
):
    policy = EscalationPolicy.objects.create(name="P1 24/7", covered_tiers=[3, 4])
    PolicyLevel.objects.create(policy=policy, position=0, user=grace, timeout_minutes=15)
    for priority, category in KINDS:
        published_tasks.clear()
        with django_capture_on_commit_callbacks(execute=True):
            ticket = ticket_opened(
                requesters[org], AT, priority=priority, category=category, tags=tags
            )
        queued = followup_task.name in published_tasks
        ticket_event_followup(ticket_id=ticket.id, now=AT)  # what the worker would have done
        acted = (
            Firing.objects.filter(ticket=ticket).exists()
            or Page.objects.filter(ticket=ticket).exists()
        )
        assert queued == acted, (org, tags, priority, category)


def test_an_ordinary_ticket_leaves_the_workers_only_its_acknowledgement(
    alice, published_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_opened(alice, AT)
    assert published_tasks == ["lifebuoy.notifications.delivery_send"]


def test_a_rule_switched_on_is_seen_by_the_next_ticket(
    alice, published_tasks, django_capture_on_commit_callbacks
):
    Rule.objects.filter(key="t3-complex").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_opened(alice, AT, tags=("complex",))
    assert followup_task.name not in published_tasks
    rule = Rule.objects.get(key="t3-complex")
    rule.is_active = True
    rule.save()  # a save through the ORM empties the configuration cache of this process
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_opened(alice, AT, tags=("complex",))
    assert followup_task.name in published_tasks
    ticket_event_followup(ticket_id=ticket.id, now=AT)
    assert Firing.objects.get(ticket=ticket).rule == rule
