"""Changing many tickets at once: all or nothing, each ticket audited and checked."""

from __future__ import annotations

import pytest

from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.sla.models import Clock, ClockKind, ClockState
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
