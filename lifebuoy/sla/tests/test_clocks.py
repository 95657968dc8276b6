from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lifebuoy.sla.models import Clock, ClockKind, ClockState, Summary, SummaryState
from lifebuoy.tickets.services import (
    NewTicket,
    TicketChanges,
    message_add,
    ticket_create,
    ticket_update,
)

pytestmark = pytest.mark.django_db

# Tuesday 2026-11-24 10:00 UTC = 11:00 in Berlin (Acme's zone, Standard tier)
TUESDAY_11_BERLIN = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def clock(ticket, kind):
    return Clock.objects.get(ticket=ticket, kind=kind, stopped_at__isnull=True)


def new(alice, now, priority="P3"):
    return ticket_create(
        actor=alice, data=NewTicket("C2 silent", "No commits", priority=priority), now=now
    )


def test_smoke(alice, ted):
    t = new(alice, TUESDAY_11_BERLIN, "P2")
    fr = clock(t, ClockKind.FIRST_RESPONSE)
    # 8 business hours from Tue 11:00 Berlin = Wed 11:00 Berlin = 10:00 UTC
    assert fr.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    res = clock(t, ClockKind.RESOLUTION)
    assert res.due_at == TUESDAY_11_BERLIN + timedelta(hours=24)
    assert Summary.objects.get(ticket=t).state == SummaryState.OK
    message_add(ticket=t, author=ted, body="hi", now=TUESDAY_11_BERLIN + timedelta(hours=1))
    fr.refresh_from_db()
    assert fr.state == ClockState.MET
    ticket_update(
        ticket=t,
        actor=ted,
        changes=TicketChanges(status="pending"),
        now=TUESDAY_11_BERLIN + timedelta(hours=2),
    )
    res.refresh_from_db()
    assert res.state == ClockState.PAUSED
