"""Keyset pagination, whatever the data: every page walk yields each matching ticket exactly once,
in the order of the chosen sort."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import TicketFilters, ticket_list_for_user

from .factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 1, 1, tzinfo=UTC)
rows = st.lists(
    st.tuples(st.sampled_from(["P1", "P2", "P3", "P4"]), st.integers(0, 5)), min_size=0, max_size=25
)


def expected_order(sort: str) -> list[int]:
    tickets = list(Ticket.objects.all())
    keys = {
        "newest": lambda t: -t.id,
        "oldest": lambda t: t.id,
        "priority": lambda t: (t.priority, -t.id),
        "activity": lambda t: (-t.last_activity_at.timestamp(), -t.id),
    }
    return [t.id for t in sorted(tickets, key=keys[sort])]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=rows,
    sort=st.sampled_from(["newest", "oldest", "priority", "activity"]),
    limit=st.integers(1, 7),
)
def test_walking_the_pages_sees_every_ticket_once_in_order(bob, data, sort, limit):
    Ticket.objects.all().delete()
    customer = CustomerFactory()
    for priority, hours in data:  # few distinct activity times, so ties are common
        TicketFactory(
            requester=customer, priority=priority, last_activity_at=BASE + timedelta(hours=hours)
        )
    seen: list[int] = []
    cursor = None
    for _ in range(len(data) + 2):
        page = ticket_list_for_user(
            user=bob, filters=TicketFilters(sort=sort), cursor=cursor, limit=limit
        )
        seen += [t.id for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected_order(sort)
