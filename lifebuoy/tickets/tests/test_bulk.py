"""Changing many tickets at once: all or nothing, each ticket audited and checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.sla.models import Clock, ClockKind, ClockState, Summary
from lifebuoy.tickets.models import Status, Ticket, TicketEvent
from lifebuoy.tickets.services import BulkChanges, TicketChanges, ticket_bulk_update, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_every_selected_ticket_changes_and_each_change_is_audited(alice, ted, bob, now):
    tickets = [ticket_opened(alice, now, subject=f"T{i}", tags=("hub",)) for i in range(3)]
    changed = ticket_bulk_update(
        actor=ted,
        ticket_ids=[t.id for t in tickets],
        changes=BulkChanges(
            priority="P2", assignee_id=bob.id, add_tags=("billing",), remove_tags=("hub",)
        ),
        now=now,
    )
    assert changed == 3
    for ticket in Ticket.objects.filter(id__in=[t.id for t in tickets]):
        assert ticket.priority == "P2"
        assert ticket.assignee == bob
        assert [t.name for t in ticket.tags.all()] == ["billing"]
        audited = set(
            TicketEvent.objects.filter(ticket=ticket, actor=ted).values_list("field", flat=True)
        )
        assert {"priority", "assignee", "tags"} <= audited


def test_one_refusal_undoes_the_whole_batch_and_names_its_ticket(alice, ted, now):
    fine = ticket_opened(alice, now, subject="Fine")
    closed = ticket_opened(alice, now, subject="Closed")
    ticket_update(ticket=closed, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    ticket_update(ticket=closed, actor=ted, changes=TicketChanges(status="closed"), now=now)
    with pytest.raises(
        InvalidState, match=rf"^#{closed.id}: A closed ticket cannot become pending"
    ):
        ticket_bulk_update(
            actor=ted,
            ticket_ids=[fine.id, closed.id],
            changes=BulkChanges(status="pending", priority="P1"),
            now=now,
        )
    fine.refresh_from_db()
    assert (fine.status, fine.priority) == (Status.NEW, "P3")  # untouched: all or nothing


def test_pending_in_bulk_pauses_each_tickets_clock(alice, ted, now):
    tickets = [ticket_opened(alice, now, subject=f"T{i}") for i in range(2)]
    ticket_bulk_update(
        actor=ted,
        ticket_ids=[t.id for t in tickets],
        changes=BulkChanges(status="pending"),
        now=now,
    )
    for ticket in tickets:
        resolution = Clock.objects.get(ticket=ticket, kind=ClockKind.RESOLUTION)
        assert resolution.state == ClockState.PAUSED


def test_refusals_say_what_to_fix(alice, ted, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(ValidationFailed, match="Please correct: ticket") as nothing:
        ticket_bulk_update(actor=ted, ticket_ids=[], changes=BulkChanges(priority="P1"), now=now)
    assert nothing.value.extra["fields"] == {"ticket": "Select at least one ticket."}
    with pytest.raises(ValidationFailed) as no_change:
        ticket_bulk_update(actor=ted, ticket_ids=[ticket.id], changes=BulkChanges(), now=now)
    assert no_change.value.extra["fields"] == {"changes": "Choose at least one change to make."}
    with pytest.raises(NotFound, match=r"These tickets were not found: #999999\."):
        ticket_bulk_update(
            actor=ted, ticket_ids=[ticket.id, 999_999], changes=BulkChanges(priority="P1"), now=now
        )
    with pytest.raises(PermissionDenied, match=r"Only support staff can change tickets\."):
        ticket_bulk_update(
            actor=alice, ticket_ids=[ticket.id], changes=BulkChanges(priority="P1"), now=now
        )
    ticket.refresh_from_db()
    assert ticket.priority == "P3"


# The batch does per ticket exactly what a single change does, in a bounded number of statements.

_CLOCK_STATE = ("kind", "state", "priority", "target_minutes", "due_at", "at_risk_at", "paused_at")


def _clocks(ticket: Ticket) -> list[tuple[object, ...]]:
    return list(Clock.objects.filter(ticket=ticket).order_by("kind").values_list(*_CLOCK_STATE))


def _summary(ticket: Ticket) -> tuple[object, ...]:
    return tuple(Summary.objects.filter(ticket=ticket).values_list("state", "next_due_at").get())


@pytest.mark.parametrize(
    ("status", "priority", "assign"),
    [
        (None, "P1", False),
        ("pending", "P1", False),  # the clocks pause, then move
        ("open", "P2", True),
    ],
)
def test_a_bulk_change_leaves_each_ticket_as_a_single_change_does(
    alice, ted, bob, now, status, priority, assign
):
    later = now + timedelta(hours=1)
    assignee_id = bob.id if assign else None
    single = ticket_opened(alice, now, subject="One by one")
    batch = [ticket_opened(alice, now, subject=f"Batch {i}") for i in range(3)]
    untouched = _clocks(single)
    ticket_update(
        ticket=single,
        actor=ted,
        changes=TicketChanges(status=status, priority=priority, assignee_id=assignee_id),
        now=later,
    )
    ticket_bulk_update(
        actor=ted,
        ticket_ids=[t.id for t in batch],
        changes=BulkChanges(status=status, priority=priority, assignee_id=assignee_id),
        now=later,
    )
    assert _clocks(single) != untouched  # the change does move the deadlines
    for ticket in batch:
        assert _audited(ticket, ted) == _audited(single, ted)
        assert _clocks(ticket) == _clocks(single)
        assert _summary(ticket) == _summary(single)


def _audited(ticket: Ticket, actor: User) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, actor=actor)
        .order_by("id")
        .values_list("action", "field", "old_value", "new_value")
    )


def test_a_bulk_priority_change_costs_a_few_statements_per_ticket(alice, ted, now):
    """An audit row, the ticket, its two clocks and its SLA summary: five writes per ticket,
    and no reads, whatever the size of the batch."""
    tickets = [ticket_opened(alice, now, subject=f"T{i}") for i in range(12)]

    def statements(ids: list[int], priority: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            ticket_bulk_update(
                actor=ted, ticket_ids=ids, changes=BulkChanges(priority=priority), now=now
            )
        return len(queries)

    few = statements([t.id for t in tickets[:4]], "P2")
    many = statements([t.id for t in tickets[4:]], "P2")
    assert (many - few) / 4 <= 5
    assert few <= 4 * 5 + 8


def test_a_refused_batch_leaves_no_shared_reads_behind(alice, ted, now):
    fine = ticket_opened(alice, now, subject="Fine")
    closed = ticket_opened(alice, now, subject="Closed")
    ticket_update(ticket=closed, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    ticket_update(ticket=closed, actor=ted, changes=TicketChanges(status="closed"), now=now)
    with pytest.raises(InvalidState):
        ticket_bulk_update(
            actor=ted,
            ticket_ids=[fine.id, closed.id],
            changes=BulkChanges(priority="P1", status="pending"),
            now=now,
        )
    # The next change reads and locks the clocks afresh, and moves them.
    ticket_update(ticket=fine, actor=ted, changes=TicketChanges(priority="P1"), now=now)
    resolution = Clock.objects.get(ticket=fine, kind=ClockKind.RESOLUTION)
    assert (resolution.priority, resolution.state) == ("P1", ClockState.RUNNING)


def test_an_assignee_who_cannot_take_tickets_is_refused_on_the_first_ticket(alice, ted, now):
    tickets = [ticket_opened(alice, now, subject=f"T{i}") for i in range(2)]
    first = min(t.id for t in tickets)
    with pytest.raises(ValidationFailed, match=rf"^#{first}: Please correct: assignee_id"):
        ticket_bulk_update(
            actor=ted,
            ticket_ids=[t.id for t in tickets],
            changes=BulkChanges(assignee_id=alice.id),
            now=now,
        )
    assert not Ticket.objects.filter(id__in=[t.id for t in tickets], assignee=alice).exists()
