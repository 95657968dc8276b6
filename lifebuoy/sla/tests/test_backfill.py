"""Switching the engine on for an existing desk: clocks rebuilt from the ticket rows, quietly."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from lifebuoy.sla.models import Clock, ClockKind, ClockState, Summary, SummaryState
from lifebuoy.sla.services.backfill import sla_backfill
from lifebuoy.tickets.models import Status
from lifebuoy.tickets.tests.factories import TicketFactory

from .helpers import berlin, clock_of

pytestmark = pytest.mark.django_db

FR, RES = ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION
TUE_11 = berlin(2026, 11, 24, 11)

# The tickets here are rows written before the engine existed, so they are built by the factory,
# which starts no clocks, rather than opened through the ticket service.


def test_an_open_unanswered_ticket_gets_running_clocks_from_its_creation(alice):
    ticket = TicketFactory(requester=alice, opened_at=TUE_11, priority="P2", status=Status.OPEN)
    assert sla_backfill(now=TUE_11 + timedelta(hours=1)) == ticket.id
    first = clock_of(ticket, FR)
    assert (first.state, first.started_at) == (ClockState.RUNNING, TUE_11)
    assert first.due_at == berlin(2026, 11, 25, 11)
    assert clock_of(ticket, RES).due_at == TUE_11 + timedelta(hours=24)
    assert Summary.objects.get(ticket=ticket).state == SummaryState.OK


def test_answered_pending_and_closed_tickets_get_their_history(alice):
    answered = TicketFactory(
        requester=alice, opened_at=TUE_11, priority="P2", status=Status.PENDING,
        first_response_at=TUE_11 + timedelta(hours=1),
        last_activity_at=TUE_11 + timedelta(hours=2),
    )  # fmt: skip
    closed = TicketFactory(
        requester=alice, opened_at=TUE_11, priority="P2", status=Status.CLOSED,
        first_response_at=TUE_11 + timedelta(hours=1),
        resolved_at=TUE_11 + timedelta(hours=3), closed_at=TUE_11 + timedelta(days=2),
    )  # fmt: skip
    sla_backfill(now=TUE_11 + timedelta(days=3))
    assert clock_of(answered, FR).state == ClockState.MET
    waiting = clock_of(answered, RES)
    assert (waiting.state, waiting.paused_at) == (ClockState.PAUSED, TUE_11 + timedelta(hours=2))
    resolution = clock_of(closed, RES)
    assert (resolution.state, resolution.stopped_at) == (
        ClockState.MET,
        TUE_11 + timedelta(hours=3),
    )


def test_deadlines_missed_before_the_switch_are_breaches_without_events(alice):
    ticket = TicketFactory(requester=alice, opened_at=TUE_11, priority="P2", status=Status.OPEN)
    sla_backfill(now=TUE_11 + timedelta(days=10))
    first = clock_of(ticket, FR)
    assert (first.state, first.breached_at) == (ClockState.BREACHED, first.due_at)
    assert first.next_check_at is None
    assert not ticket.events.filter(action__startswith="sla_").exists()
    assert Summary.objects.get(ticket=ticket).state == SummaryState.BREACHED


def test_the_command_walks_every_ticket_once_even_those_that_get_no_clock(alice, ted):
    from lifebuoy.sla.models import Policy, Target

    Target.objects.filter(policy=Policy.objects.get(tier=2)).delete()  # no targets at all
    skipped = TicketFactory(requester=alice, opened_at=TUE_11, priority="P2", status=Status.OPEN)
    out = io.StringIO()
    call_command("sla_backfill", "--batch-size", "1", stdout=out)
    assert "Every ticket" in out.getvalue()
    assert not Clock.objects.filter(ticket=skipped).exists()
