"""Ticket events: who reacts to what, in which order, and inside the publisher's transaction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction

from lifebuoy.sla.models import Clock
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import (
    NewTicket,
    TicketChanges,
    message_add,
    ticket_create,
    ticket_update,
)

pytestmark = pytest.mark.django_db

TICKETS = Path(__file__).resolve().parents[1]
HIGHER_APPS = ("sla", "notifications", "escalations", "kb", "monitoring", "reports", "surveys")


def test_each_event_has_its_subscribers_in_a_fixed_order():
    assert events.subscribers(events.TicketCreated) == [
        "lifebuoy.tickets.search.indexing._on_created",
        "lifebuoy.sla.subscribers.on_ticket_created",
        "lifebuoy.notifications.subscribers.on_ticket_created",
        "lifebuoy.escalations.subscribers.on_ticket_created",
    ]
    assert events.subscribers(events.MessageAdded) == [
        "lifebuoy.tickets.search.indexing._on_message",
        "lifebuoy.sla.subscribers.on_message_added",
        "lifebuoy.notifications.subscribers.on_message_added",
        "lifebuoy.integrations.slack.outbound.slack_on_message_added",
        "lifebuoy.escalations.subscribers.on_message_added",
    ]
    assert events.subscribers(events.StatusChanged) == [
        "lifebuoy.sla.subscribers.on_status_changed",
        "lifebuoy.notifications.subscribers.on_status_changed",
    ]
    assert events.subscribers(events.PriorityChanged) == [
        "lifebuoy.sla.subscribers.on_priority_changed",
        "lifebuoy.notifications.subscribers.on_priority_changed",
    ]
    assert events.subscribers(events.TicketUpdated) == [
        "lifebuoy.tickets.search.indexing._on_updated",
        "lifebuoy.escalations.subscribers.on_ticket_updated",
    ]
    assert events.subscribers(events.TicketMerged) == [
        "lifebuoy.tickets.search.indexing._on_merged",
    ]
    assert events.subscribers(events.AssignmentChanged) == [
        "lifebuoy.notifications.subscribers.on_assignment_changed",
    ]


def test_handlers_run_in_order_and_subscribing_twice_is_a_no_op(monkeypatch):
    monkeypatch.setattr(events, "_handlers", {})
    seen: list[str] = []

    def late(event: events.TicketUpdated) -> None:
        seen.append("late")

    def early(event: events.TicketUpdated) -> None:
        seen.append("early")

    events.subscribe(events.TicketUpdated, late, order=30)
    events.subscribe(events.TicketUpdated, early, order=10)
    events.subscribe(events.TicketUpdated, late, order=30)
    events.publish(events.TicketUpdated(ticket=None, changed=frozenset(), now=None))  # type: ignore[arg-type]
    assert seen == ["early", "late"]


def test_a_failing_subscriber_rolls_the_whole_change_back(monkeypatch, alice, now):
    def broken(event: events.TicketCreated) -> None:
        raise RuntimeError("subscriber failed")

    handlers = {k: list(v) for k, v in events._handlers.items()}
    monkeypatch.setattr(events, "_handlers", handlers)
    events.subscribe(events.TicketCreated, broken, order=99)
    with pytest.raises(RuntimeError, match="subscriber failed"):
        ticket_create(actor=alice, data=NewTicket("C2 stuck", "since 9"), now=now)
    assert not Ticket.objects.exists()
    assert not Clock.objects.exists()


def test_handlers_run_inside_the_publishers_transaction(monkeypatch, alice, bob, now):
    inside: list[bool] = []

    def probe(event: events.MessageAdded) -> None:
        inside.append(transaction.get_connection().in_atomic_block)

    handlers = {k: list(v) for k, v in events._handlers.items()}
    monkeypatch.setattr(events, "_handlers", handlers)
    events.subscribe(events.MessageAdded, probe, order=1)
    ticket = ticket_create(actor=alice, data=NewTicket("C2 stuck", "since 9"), now=now)
    message_add(ticket=ticket, author=bob, body="Looking", now=now)
    assert inside == [True]


def test_a_staff_save_publishes_priority_assignment_and_update(monkeypatch, alice, bob, now):
    ticket = ticket_create(actor=alice, data=NewTicket("C2 stuck", "since 9"), now=now)
    published: list[object] = []
    monkeypatch.setattr(events, "publish", published.append)
    ticket_update(
        ticket=ticket,
        actor=bob,
        changes=TicketChanges(priority="P1", assignee_id=bob.id),
        now=now,
    )
    kinds = [type(e).__name__ for e in published]
    assert kinds == ["PriorityChanged", "AssignmentChanged", "TicketUpdated"]
    assert (published[0].old, published[0].new) == ("P3", "P1")  # type: ignore[attr-defined]


def test_ticket_services_and_events_import_no_app_above_them():
    """The views and selectors that compose the desk still do, until they move to their app."""
    offenders = []
    for path in TICKETS.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "lifebuoy" and len(parts) > 1 and parts[1] in HIGHER_APPS:
                    offenders.append(f"{path.relative_to(TICKETS)}: {name}")
    services = [o for o in offenders if o.startswith(("services/", "events"))]
    assert services == []
