"""Configuration read on every new ticket is cached per process, and never outlives a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.accounts.models import Queue
from lifebuoy.core.config_cache import config_cached
from lifebuoy.notifications.models import Delivery, DeliveryKind, WebhookEndpoint
from lifebuoy.sla.models import Clock, ClockKind, Policy, Target
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def tables_read(queries) -> set[str]:
    return {
        word.strip('"').split('"')[0]
        for q in queries
        if q["sql"].startswith("SELECT")
        for word in q["sql"].split(" FROM ", 1)[1].split()[:1]
    }


def test_a_value_is_computed_once_then_again_after_it_expires(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("lifebuoy.core.config_cache.time.monotonic", lambda: clock[0])
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert config_cached("k", compute, ttl=5) == 1
    clock[0] += 4.9
    assert config_cached("k", compute, ttl=5) == 1
    clock[0] += 0.2
    assert config_cached("k", compute, ttl=5) == 2


def test_the_second_ticket_of_an_organization_reads_no_routing_or_policy_rows(alice, now):
    ticket_opened(alice, now, priority="P2")
    with CaptureQueriesContext(connection) as second:
        ticket_opened(alice, now + timedelta(minutes=1), priority="P2")
    read = tables_read(second.captured_queries)
    assert not read & {
        "accounts_queue",
        "sla_policy",
        "sla_target",
        "notifications_webhookendpoint",
    }


def test_a_new_dedicated_queue_takes_the_next_ticket_at_once(alice, now):
    assert ticket_opened(alice, now, priority="P2").queue == Queue.objects.get(slug="tier-2")
    dedicated = Queue.objects.create(
        name="Acme desk", slug="acme", tier=2, organization=alice.organization
    )
    assert ticket_opened(alice, now + timedelta(minutes=1), priority="P2").queue == dedicated


def test_an_edited_target_applies_to_the_next_ticket_at_once(alice, now):
    ticket_opened(alice, now, priority="P2")
    policy = Policy.objects.get(tier=2, organization__isnull=True)
    target = Target.objects.get(policy=policy, priority="P2", kind=ClockKind.RESOLUTION)
    target.minutes = 90
    target.save()
    ticket = ticket_opened(alice, now + timedelta(minutes=1), priority="P2")
    assert Clock.objects.get(ticket=ticket, kind=ClockKind.RESOLUTION).target_minutes == 90


def test_a_webhook_endpoint_added_gets_the_next_ticket(alice, now):
    ticket_opened(alice, now, priority="P2")
    WebhookEndpoint.objects.create(
        organization=alice.organization, url="https://hooks.acme.example/desk", secret="s" * 32
    )
    ticket = ticket_opened(alice, now + timedelta(minutes=1), priority="P2")
    assert Delivery.objects.filter(ticket=ticket, kind=DeliveryKind.WEBHOOK).count() == 1
