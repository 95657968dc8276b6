"""Clocks in a bulk change: read once for the batch, yet as current as ticket by ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.sla.models import Clock, ClockKind, Policy, Summary, SummaryState
from lifebuoy.tickets.services import BulkChanges, ticket_bulk_update
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import berlin, change, clock_of

pytestmark = pytest.mark.django_db

RES = ClockKind.RESOLUTION
TUE_11 = berlin(2026, 11, 24, 11)


def _bulk(agent, tickets, at, **changes):
    return ticket_bulk_update(
        actor=agent, ticket_ids=[t.id for t in tickets], changes=BulkChanges(**changes), now=at
    )


def test_a_bulk_change_reads_the_policy_as_it_is_when_the_batch_runs(alice, ted):
    tickets = [ticket_opened(alice, TUE_11, priority="P2") for _ in range(2)]
    policy = Policy.objects.get(tier=2)
    _bulk(ted, tickets, TUE_11 + timedelta(minutes=10), priority="P1")  # reads version 1
    # Edited elsewhere (no signal reaches this process), as another server would.
    policy.targets.filter(kind=RES, priority="P3").update(minutes=180)
    Policy.objects.filter(id=policy.id).update(version=2)
    _bulk(ted, tickets, TUE_11 + timedelta(minutes=30), priority="P3")
    for ticket in tickets:
        resolution = clock_of(ticket, RES)
        assert (resolution.policy_version, resolution.due_at) == (2, TUE_11 + timedelta(hours=3))


def test_a_bulk_change_that_moves_no_clock_locks_none(alice, ted):
    tickets = [ticket_opened(alice, TUE_11) for _ in range(2)]
    with CaptureQueriesContext(connection) as queries:
        _bulk(ted, tickets, TUE_11, category="quality", add_tags=("vip",))
    assert not [q for q in queries if Clock._meta.db_table in q["sql"]]


def test_a_ticket_without_a_summary_gets_one_at_its_next_priority_change(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P3")
    Summary.objects.filter(ticket=ticket).delete()  # e.g. imported around the services
    change(ticket, ted, TUE_11 + timedelta(hours=1), priority="P1")
    summary = Summary.objects.get(ticket=ticket)
    assert summary.state == SummaryState.OK
    dues = [c.due_at for c in Clock.objects.filter(ticket=ticket) if c.due_at is not None]
    assert summary.next_due_at == min(dues)
