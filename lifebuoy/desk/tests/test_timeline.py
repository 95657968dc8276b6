"""The ticket page's timeline: description, replies, notes and changes in one list, by time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.desk.timeline import Change, Opened, Post, ticket_timeline
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import (
    AuditEntry,
    TicketChanges,
    message_add,
    ticket_audit_record,
    ticket_update,
)
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def worked(alice, ted, lena, now) -> Ticket:
    """Opened by Alice at 10:00 UTC; Ted replies at 11:00 and sets it pending at 12:00; the
    first response target is flagged at 11:30; Lena notes at 13:00; Alice answers at 14:00."""
    ticket = ticket_opened(alice, now, subject="C2 down", description="Nothing since 9am.")
    message_add(ticket=ticket, author=ted, body="Restart the session.", now=now + HOUR)
    due = (now + 2 * HOUR).isoformat()
    ticket_audit_record(
        entries=[AuditEntry(ticket.id, "sla_at_risk", field="next_response", new=due)],
        now=now + 1.5 * HOUR,
    )
    ticket_update(
        ticket=ticket, actor=ted, changes=TicketChanges(status="pending"), now=now + 2 * HOUR
    )
    message_add(ticket=ticket, author=lena, body="hunch", is_internal=True, now=now + 3 * HOUR)
    message_add(ticket=ticket, author=alice, body="Still down.", now=now + 4 * HOUR)
    return ticket


def _story(entries) -> list[str]:
    """Each entry in words: "opened", "reply: …", "note: …", "event: action field"."""
    words = []
    for entry in entries:
        if isinstance(entry, Opened):
            words.append("opened")
        elif isinstance(entry, Post):
            kind = "note" if entry.message.is_internal else "reply"
            words.append(f"{kind}: {entry.message.body}")
        else:
            assert isinstance(entry, Change)
            words.append(f"event: {entry.event.action} {entry.event.field}".strip())
    return words


def test_messages_and_changes_interleave_oldest_first(worked, ted):
    entries = ticket_timeline(user=ted, ticket=worked)

    assert _story(entries) == [
        "opened",
        "event: created",
        "reply: Restart the session.",
        # What the reply caused, at its instant: Ted owns the ticket, which is now open.
        "event: changed owner",
        "event: changed status",
        "event: sla_at_risk next_response",
        "event: changed status",
        "note: hunch",
        "reply: Still down.",
        "event: changed status",  # the customer's answer reopens the pending ticket
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_replies_and_notes_are_not_listed_twice(worked, ted):
    actions = [
        e.event.action for e in ticket_timeline(user=ted, ticket=worked) if e.kind == "event"
    ]
    assert worked.events.filter(action__in=["reply_added", "note_added"]).count() == 3
    assert "reply_added" not in actions
    assert "note_added" not in actions


def test_an_sla_warning_knows_when_the_target_was_due(worked, ted, now):
    [warning] = [
        e for e in ticket_timeline(user=ted, ticket=worked) if isinstance(e, Change) and e.due_at
    ]
    assert warning.event.action == "sla_at_risk"
    assert warning.due_at == now + 2 * HOUR


def test_a_customer_never_gets_changes_or_internal_notes(worked, alice, carol):
    for customer in (alice, carol):
        assert _story(ticket_timeline(user=customer, ticket=worked)) == [
            "opened",
            "reply: Restart the session.",
            "reply: Still down.",
        ]


def test_the_timeline_costs_the_same_queries_however_long_it_is(
    worked, ted, lena, now, django_assert_num_queries
):
    for i in range(10):
        message_add(ticket=worked, author=lena, body=f"n{i}", is_internal=True, now=now + i * HOUR)
    with django_assert_num_queries(3):  # messages, their attachments, changes
        ticket_timeline(user=ted, ticket=worked)
